/**
 * Batched float32 matmul tiled in workgroup memory: a workgroup of 16×16 threads computes a 64×64
 * block of the output, each thread a 4×4 register tile (rows ty + 16i, columns tx + 16j), walking
 * K in steps of 16 with the A and B tiles staged in workgroup memory. The tiles are stored so
 * that a thread's four rows (columns) are one vec4: per k, two vec4 reads of workgroup memory and
 * four vec4 multiply-adds into four vec4 accumulators, written out unrolled, so that no compiler
 * has to keep a dynamically indexed array in memory. A and B are read through
 * their strides, so a transposed operand (a view) needs no copy; batch dimensions are walked with
 * per-operand strides, 0 where one is broadcast. Edges past M, N or K load zeros.
 *
 * info (i32): [M, K, N, batchRank, aOffset, aRowStride, aColStride, bOffset, bRowStride,
 * bColStride, batchShape…, aBatchStrides…, bBatchStrides…]; workgroup (x, y, z) = (column block,
 * row block, batch).
 *
 * int32 operands multiply in i32 with the same tiling: products and sums wrap modulo 2³², which
 * is what the JS kernel's float64 sum stored with ToInt32 gives wherever float64 holds it exactly.
 */

export const MATMUL_TILE = 64;
const K_STEP = 16;

/** The tiled matmul over f32 or i32 elements. */
export function matmulShader(type: "f32" | "i32" = "f32"): string {
  const zero = type === "f32" ? "0.0" : "0i";
  return `
@group(0) @binding(0) var<storage, read> a: array<${type}>;
@group(0) @binding(1) var<storage, read> b: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
@group(0) @binding(3) var<storage, read> info: array<i32>;

// [k][ty] holds rows ty, ty + 16, ty + 32, ty + 48 of the block; tileB likewise by columns
var<workgroup> tileA: array<vec4<${type}>, ${K_STEP * 16}>;
var<workgroup> tileB: array<vec4<${type}>, ${K_STEP * 16}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = info[0];
  let K = info[1];
  let N = info[2];
  let batchRank = info[3];
  // the batch's offsets into a and b
  var aBase = info[4];
  var bBase = info[7];
  var rest = i32(wg.z);
  for (var d = batchRank - 1; d >= 0; d--) {
    let size = info[10 + d];
    let c = rest % size;
    rest = rest / size;
    aBase += c * info[10 + batchRank + d];
    bBase += c * info[10 + 2 * batchRank + d];
  }
  let aRow = info[5];
  let aCol = info[6];
  let bRow = info[8];
  let bCol = info[9];
  let row0 = i32(wg.y) * ${MATMUL_TILE};
  let col0 = i32(wg.x) * ${MATMUL_TILE};
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  let thread = ty * 16 + tx;
  var acc0 = vec4<${type}>();
  var acc1 = vec4<${type}>();
  var acc2 = vec4<${type}>();
  var acc3 = vec4<${type}>();
  for (var k0 = 0; k0 < K; k0 += ${K_STEP}) {
    for (var l = 0; l < 4; l++) {
      let e = thread + l * 256;
      // A's tile: 64 rows × 16 ks, consecutive threads along k
      let ar = e / ${K_STEP};
      let ak = e % ${K_STEP};
      var va = ${zero};
      if (row0 + ar < M && k0 + ak < K) { va = a[aBase + (row0 + ar) * aRow + (k0 + ak) * aCol]; }
      tileA[ak * 16 + ar % 16][ar / 16] = va;
      // B's tile: 16 ks × 64 columns, consecutive threads along the columns
      let bk = e / ${MATMUL_TILE};
      let bc = e % ${MATMUL_TILE};
      var vb = ${zero};
      if (k0 + bk < K && col0 + bc < N) { vb = b[bBase + (k0 + bk) * bRow + (col0 + bc) * bCol]; }
      tileB[bk * 16 + bc % 16][bc / 16] = vb;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${K_STEP}; kk++) {
      let ra = tileA[kk * 16 + ty];
      let rb = tileB[kk * 16 + tx];
      acc0 += ra.x * rb;
      acc1 += ra.y * rb;
      acc2 += ra.z * rb;
      acc3 += ra.w * rb;
    }
    workgroupBarrier();
  }
  let outBase = i32(wg.z) * M * N;
  let rows = array<vec4<${type}>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0; i < 4; i++) {
    let r = row0 + ty + 16 * i;
    for (var j = 0; j < 4; j++) {
      let c = col0 + tx + 16 * j;
      if (r < M && c < N) { out[outBase + r * N + c] = rows[i][j]; }
    }
  }
}
`;
}

export const MATMUL_SHADER = matmulShader("f32");
