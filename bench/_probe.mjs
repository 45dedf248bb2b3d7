process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
const { WebGpuContext } = await import("../packages/nabla/dist/src/backend/webgpu/index.js");
const ctx = await WebGpuContext.create();
const D = await import("./data.mjs");
const view = (data, shape) => ({ data, shape, strides: shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1)), offset: 0 });
const c = { n: 2, c: 6, h: 12, w: 12, o: 16, k: 5, pad: 0 };
const oh = 8, ow = 8;
const g = { n: c.n, c: c.c, h: c.h, w: c.w, o: c.o, groups: 1, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, oh, ow };
const x = view(ctx.upload(D.uniform(2 * 6 * 144, 1, 7)), [2, 6, 12, 12]);
const w = view(ctx.upload(D.uniform(16 * 150, 1, 7)), [16, 6, 5, 5]);
for (const tiled of [true, false, true]) {
  ctx.tiledConvolution = tiled;
  const out = ctx.alloc(2 * 16 * 64);
  ctx.conv2d(g, x, w, null, out); await ctx.read(out);
  for (const reps of [1, 10]) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) ctx.conv2d(g, x, w, null, out);
    await ctx.read(out);
    console.log(tiled, reps, ((performance.now() - t) / reps).toFixed(2), "ms per launch");
  }
}
// a trivial copy with the identity kernel
const { input } = await import("../packages/nabla/dist/src/ops/pointwise/expr.js");
const { kernelOf } = await import("../packages/nabla/dist/src/ops/pointwise/plan.js");
const k = kernelOf(input(0));
const a = ctx.upload(new Float32Array(2048)); const o = ctx.alloc(2048);
ctx.pointwise(k, [view(a, [2048])], o, []); await ctx.read(o);
for (const reps of [1, 10]) {
  const t = performance.now();
  for (let i = 0; i < reps; i++) ctx.pointwise(k, [view(a, [2048])], o, []);
  await ctx.read(o);
  console.log("copy", reps, ((performance.now() - t) / reps).toFixed(2), "ms per launch");
}
process.exit(0);
