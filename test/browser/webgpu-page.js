// Runs in Chromium (test/webgpu.test.ts): the WebGPU kernels on navigator.gpu, loaded from dist/
// as plain ES modules, against the JS backend's kernels. Reports through window.report.
import { WebGpuContext } from "../../packages/nabla/dist/src/backend/webgpu/index.js";
import { jsBackend } from "../../packages/nabla/dist/src/backend/js/index.js";
import { pointwise as jsPointwise } from "../../packages/nabla/dist/src/backend/js/pointwise.js";
import { DECLARATIONS } from "../../packages/nabla/dist/src/ops/pointwise/declarations/index.js";
import { planVariant } from "../../packages/nabla/dist/src/ops/pointwise/plan.js";

async function run() {
  const gpu = await WebGpuContext.create();
  const x = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 3);
  const view = (data, shape) => ({ data, shape, strides: shape.length === 2 ? [shape[1], 1] : [1], offset: 0 });
  // gelu's forward and backward, as the ops plan them
  const gelu = planVariant(DECLARATIONS.gelu, [false]);
  let pointwiseDiff = 0;
  for (const kernel of [gelu.forward, gelu.backward[0]?.kernel].filter(Boolean)) {
    const inputs = Array.from({ length: kernel.arity }, () => view(x.subarray(0, 1000), [1000]));
    const expected = new Float32Array(1000);
    jsPointwise(kernel, inputs, expected, [], true);
    const out = gpu.alloc(1000);
    gpu.pointwise(kernel, inputs.map((v) => ({ ...v, data: gpu.upload(v.data) })), out, []);
    const actual = await gpu.read(out);
    for (let i = 0; i < 1000; i++) pointwiseDiff = Math.max(pointwiseDiff, Math.abs(actual[i] - expected[i]));
  }
  const [m, k, n] = [70, 33, 65];
  const a = x.subarray(0, m * k);
  const b = x.subarray(0, k * n);
  const expected = new Float32Array(m * n);
  jsBackend.matmul({ a: view(a, [m, k]), b: view(b, [k, n]), out: expected, batchShape: [], m, k, n });
  const out = gpu.alloc(m * n);
  gpu.matmul({ a: view(gpu.upload(a), [m, k]), b: view(gpu.upload(b), [k, n]), out, batchShape: [], m, k, n });
  const product = await gpu.read(out);
  let matmulDiff = 0;
  for (let i = 0; i < m * n; i++) matmulDiff = Math.max(matmulDiff, Math.abs(product[i] - expected[i]));
  const sums = gpu.alloc(m);
  gpu.reduce("sum", gpu.upload(a), m, k, sums);
  const expectedSums = new Float32Array(m);
  jsBackend.reduce("sum", a, m, k, expectedSums);
  const gotSums = await gpu.read(sums);
  let sumDiff = 0;
  for (let i = 0; i < m; i++) sumDiff = Math.max(sumDiff, Math.abs(gotSums[i] - expectedSums[i]));
  return { source: gpu.acquired.source, pointwiseDiff, matmulDiff, sumDiff };
}

run().then((r) => (window.report = r), (e) => (window.report = { error: String(e && e.stack ? e.stack : e) }));
