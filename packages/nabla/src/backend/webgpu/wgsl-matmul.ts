/**
 * Batched float32 matmul tiled in workgroup memory: a workgroup of 16×16 threads computes a 64×64
 * block of the output, each thread a 4×4 register tile (rows ty + 16i, columns tx + 16j), walking
 * K in steps of 16 with the A and B tiles staged in workgroup memory. A and B are read through
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

var<workgroup> tileA: array<${type}, ${K_STEP * MATMUL_TILE}>; // [k][row]
var<workgroup> tileB: array<${type}, ${K_STEP * MATMUL_TILE}>; // [k][column]

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
  var acc: array<${type}, 16>;
  for (var k0 = 0; k0 < K; k0 += ${K_STEP}) {
    for (var l = 0; l < 4; l++) {
      let e = thread + l * 256;
      // A's tile: 64 rows × 16 ks, consecutive threads along k
      let ar = e / ${K_STEP};
      let ak = e % ${K_STEP};
      var va = ${zero};
      if (row0 + ar < M && k0 + ak < K) { va = a[aBase + (row0 + ar) * aRow + (k0 + ak) * aCol]; }
      tileA[ak * ${MATMUL_TILE} + ar] = va;
      // B's tile: 16 ks × 64 columns, consecutive threads along the columns
      let bk = e / ${MATMUL_TILE};
      let bc = e % ${MATMUL_TILE};
      var vb = ${zero};
      if (k0 + bk < K && col0 + bc < N) { vb = b[bBase + (k0 + bk) * bRow + (col0 + bc) * bCol]; }
      tileB[bk * ${MATMUL_TILE} + bc] = vb;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${K_STEP}; kk++) {
      var ra: array<${type}, 4>;
      var rb: array<${type}, 4>;
      for (var i = 0; i < 4; i++) { ra[i] = tileA[kk * ${MATMUL_TILE} + ty + 16 * i]; }
      for (var j = 0; j < 4; j++) { rb[j] = tileB[kk * ${MATMUL_TILE} + tx + 16 * j]; }
      for (var i = 0; i < 4; i++) {
        for (var j = 0; j < 4; j++) { acc[i * 4 + j] += ra[i] * rb[j]; }
      }
    }
    workgroupBarrier();
  }
  let outBase = i32(wg.z) * M * N;
  for (var i = 0; i < 4; i++) {
    let r = row0 + ty + 16 * i;
    for (var j = 0; j < 4; j++) {
      let c = col0 + tx + 16 * j;
      if (r < M && c < N) { out[outBase + r * N + c] = acc[i * 4 + j]; }
    }
  }
}
`;
}

export const MATMUL_SHADER = matmulShader("f32");
