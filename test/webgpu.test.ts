/**
 * The WebGPU kernel layer (src/backend/webgpu, the first slice of the webgpu backend): every
 * generated WGSL pointwise kernel, the tiled matmul and the reductions against the JS backend's
 * kernels, on a real WebGPU device. In Node that is the optional package `webgpu` (Dawn); without
 * a GPU it runs on SwiftShader's Vulkan driver from Debian's chromium package. Where neither is
 * present the GPU tests are skipped, saying why; the parts that need no device always run.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import { describe, expect, it, afterAll } from "vitest";
import { seededRandom } from "./helpers.js";
import { browserSkipReason, runWebGpuPage } from "./webgpu-page.js";
import type { ReduceOp, StridedView } from "../packages/nabla/src/backend/backend.js";
import type { Conv2dGeometry } from "../packages/nabla/src/backend/convolution.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { pointwise as jsPointwise } from "../packages/nabla/src/backend/js/pointwise.js";
import { DECLARATIONS } from "../packages/nabla/src/ops/pointwise/declarations/index.js";
import { planVariant, scalarPatterns, type Kernel } from "../packages/nabla/src/ops/pointwise/plan.js";
import { contiguousStrides, numelOf } from "../packages/nabla/src/tensor/shape.js";
import { WebGpuContext, mergeDims, type GpuArray, type GpuStridedView } from "../packages/nabla/src/backend/webgpu/index.js";
import { BufferPool, sizeClass } from "../packages/nabla/src/backend/webgpu/pool.js";
import type { GpuBuffer, GpuDevice } from "../packages/nabla/src/backend/webgpu/gpu-types.js";
import { OutOfMemoryError } from "../packages/nabla/src/errors.js";
import { add, apply, div, input, mul, param } from "../packages/nabla/src/ops/pointwise/expr.js";
import { kernelOf } from "../packages/nabla/src/ops/pointwise/plan.js";
import { computeTypeOf, pointwiseShader } from "../packages/nabla/src/backend/webgpu/wgsl-pointwise.js";
import type { GpuDType } from "../packages/nabla/src/backend/webgpu/wgsl-types.js";
import { dtypesOf } from "../packages/nabla/src/ops/pointwise/call.js";
import { zeros } from "../packages/nabla/src/ops/creation.js";
import type { DType, TypedArray } from "../packages/nabla/src/tensor/dtype.js";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const CHROMIUM_VULKAN_LOADER = "/usr/lib/chromium/libvulkan.so.1";
const SYSTEM_VULKAN_LOADERS = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1", "/usr/lib64/libvulkan.so.1", "/usr/lib/libvulkan.so.1"];

/**
 * Points Dawn at SwiftShader where no GPU driver is configured. Where the system has no Vulkan
 * loader (libvulkan1 not installed), the copy Chromium ships is loaded first under its soname,
 * so that Dawn's own dlopen("libvulkan.so.1") finds it (Node's dlopen fails on it for not being
 * an addon, after loading it: RTLD_NODELETE keeps it).
 */
function useSoftwareVulkan(): void {
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  if (process.platform !== "linux" || SYSTEM_VULKAN_LOADERS.some(existsSync) || !existsSync(CHROMIUM_VULKAN_LOADER)) return;
  const RTLD_NODELETE = 0x1000;
  try {
    process.dlopen({ exports: {} }, CHROMIUM_VULKAN_LOADER, os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
  } catch {
    // "did not self-register": expected, the library is loaded all the same
  }
}

/** The device, or why there is none (then the GPU tests are skipped with that reason). */
async function openDevice(): Promise<{ gpu: WebGpuContext | null; reason: string }> {
  if (process.env.NABLA_BACKEND !== undefined && process.env.NABLA_BACKEND !== "js") {
    return { gpu: null, reason: "the WebGPU kernels are checked once, in the js project" };
  }
  useSoftwareVulkan();
  try {
    return { gpu: await WebGpuContext.create(), reason: "" };
  } catch (e) {
    return { gpu: null, reason: (e as Error).message };
  }
}

const { gpu, reason } = await openDevice();
afterAll(() => gpu?.destroy());

const random = seededRandom(13); // failures reproduce

type Layout = "contiguous" | "transposed" | "offset";

/** A random float32 view of `shape`: contiguous, with its last two dims stored transposed, or at an offset with padded rows. */
function randomView(shape: number[], layout: Layout, scale = 3): StridedView {
  const nd = shape.length;
  let storeShape = shape.slice();
  if (layout === "transposed" && nd >= 2) storeShape = [...shape.slice(0, -2), shape[nd - 1]!, shape[nd - 2]!];
  if (layout === "offset" && nd >= 1) storeShape = [...shape.slice(0, -1), shape[nd - 1]! + 5];
  const offset = layout === "offset" ? 7 : 0;
  const data = new Float32Array(numelOf(storeShape) + offset);
  for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * scale;
  let strides = contiguousStrides(storeShape);
  if (layout === "transposed" && nd >= 2) strides = [...strides.slice(0, -2), strides[nd - 1]!, strides[nd - 2]!];
  return { data, shape, strides, offset };
}

/** The same view with its data uploaded to the device. */
function toGpu(v: StridedView): GpuStridedView {
  return { data: gpu!.upload(v.data as Float32Array), shape: v.shape, strides: v.strides, offset: v.offset };
}

/**
 * Every kernel the ops can ask for (as assembly/codegen.mjs collects them for wasm), the ones with
 * a condition as result too, with parameters to run it with.
 */
function declaredKernels(): { kernel: Kernel; params: number[] }[] {
  const found = new Map<string, Kernel>();
  for (const name of Object.keys(DECLARATIONS).sort()) {
    const decl = DECLARATIONS[name]!;
    for (const scalar of scalarPatterns(decl.arity)) {
      const v = planVariant(decl, scalar);
      for (const k of [v.forward, ...v.backward.map((p) => p?.kernel)]) {
        // the identity (add's backward: g itself) is no kernel
        if (k && k.arity >= 1 && k.expr.op !== "input") found.set(k.key, k);
      }
    }
  }
  const params = [0.7, 1.3, -0.4, 2.5, 0.3, 1.5, 0.2, 4];
  return [...found.values()].map((kernel) => ({ kernel, params: params.slice(0, kernel.params) }));
}

/** A kernel with int32 or bool operands, as the ops' dtype rules (call.ts's dtypesOf) ask for it. */
interface TypedKernel {
  readonly kernel: Kernel;
  readonly inputs: readonly GpuDType[];
  readonly out: GpuDType;
  readonly params: readonly number[];
}

/**
 * Every forward kernel of every declared op, for every pattern of tensor and number operands and
 * mixes of float32, int32 and bool tensors with at least one int32 or bool among them, with
 * integer and fractional numbers (which decide between an int32 and a float32 computation); the
 * combinations an op refuses (bool for a numeric op) are left out, as the op throws for them.
 *
 * Not every mix: a shader is one body per kernel, compute type and output dtype behind one load
 * per input, converting that input's dtype to the compute type (pointwiseShader), so each
 * (kernel, compute type, output dtype) the ops ask for is checked with every dtype it takes at
 * every input position, each at least once (the first mixes that together cover them, which
 * include the all-int32 and all-bool ones where they exist): 740 shaders, where every mix made
 * 1,069 (the binary and ternary ops' mixes); compiling them on SwiftShader is most of the test's
 * time (38 → 25 s of CPU). Every mix's shader is still written, by a test without a device.
 */
function typedKernels(): TypedKernel[] {
  const all = everyTypedKernel();
  const chosen: TypedKernel[] = [];
  const covered = new Set<string>();
  // the homogeneous mixes first, then the rest in order, each kept where it adds a position's dtype
  const homogeneous = (k: TypedKernel): boolean => k.inputs.every((t) => t === k.inputs[0]);
  for (const k of [...all.filter(homogeneous), ...all.filter((k) => !homogeneous(k))]) {
    const shader = `${k.kernel.key} -> ${k.out} in ${computeTypeOf(k.inputs, k.out, k.params)}`;
    const adds = k.inputs.map((t, i) => `${shader} ${i}:${t}`).filter((p) => !covered.has(p));
    if (adds.length === 0) continue;
    for (const p of adds) covered.add(p);
    chosen.push(k);
  }
  return chosen;
}

/** typedKernels before the cover: every mix. */
function everyTypedKernel(): TypedKernel[] {
  const found = new Map<string, TypedKernel>();
  const types: GpuDType[] = ["float32", "int32", "bool"];
  for (const name of Object.keys(DECLARATIONS).sort()) {
    const decl = DECLARATIONS[name]!;
    const own = [-3, 4, 2].slice(0, decl.params.length);
    for (const scalar of scalarPatterns(decl.arity)) {
      const tensors = scalar.filter((s) => !s).length;
      const kernel = planVariant(decl, scalar).forward;
      for (let mix = 0; mix < 3 ** tensors; mix++) {
        const dtypes = Array.from({ length: tensors }, (_, i) => types[Math.floor(mix / 3 ** i) % 3]!);
        if (dtypes.every((t) => t === "float32")) continue;
        for (const numbers of [[2, -3], [2.5, -0.5]]) {
          let k = 0;
          let n = 0;
          const operands = scalar.map((s) => (s ? numbers[n++ % 2]! : zeros([1], { dtype: dtypes[k++]! })));
          let result: DType;
          let compute: DType;
          try {
            [compute, result] = dtypesOf(decl, operands);
          } catch {
            continue; // the op refuses these dtypes
          }
          const values = [...own, ...operands.filter((o): o is number => typeof o === "number")];
          const params = compute === "float32" ? values.map(Math.fround) : values;
          const out = result as GpuDType;
          const key = `${kernel.key} ${dtypes} ${out} ${computeTypeOf(dtypes, out, params)}`;
          if (kernel.arity > 0 && !found.has(key)) found.set(key, { kernel, inputs: dtypes, out, params });
        }
      }
    }
  }
  return [...found.values()];
}

/** A typed array of `dtype` for `shape` and layout: int32 in [−9, 9], bool 0 or 1. */
function randomTyped(shape: number[], layout: Layout, dtype: GpuDType): StridedView {
  const v = randomView(shape, layout);
  const f = v.data as Float32Array;
  if (dtype === "int32") return { ...v, data: Int32Array.from(f, (x) => Math.round(x * 3)) };
  if (dtype === "bool") return { ...v, data: Uint8Array.from(f, (x) => (x > 0 ? 1 : 0)) };
  return v;
}

function typedArrayOf(dtype: GpuDType, size: number): TypedArray {
  return dtype === "float32" ? new Float32Array(size) : dtype === "int32" ? new Int32Array(size) : new Uint8Array(size);
}

/**
 * Agreement with the JS kernel rounding every step to float32: 1e-5 relative and 1e-6 absolute
 * where a few ulps meet a cancellation (1 − tanh²). The device's transcendental functions are
 * within a few float32 ulps of float64 (test/webgpu-math-accuracy.test.ts; WGSL's own exp and log,
 * whose errors grow with the argument, are replaced), so the JS kernel's own roundings dominate.
 * NaN must meet NaN, infinities must be equal.
 */
function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-5, abs = 1e-6): string | null {
  if (actual.length !== expected.length) return `${what}: ${actual.length} elements, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e) || Number.isNaN(a) || !Number.isFinite(a)) {
      if (!Object.is(a, e) && !(a === 0 && e === 0)) return `${what}[${i}]: got ${a}, expected ${e}`;
      continue;
    }
    if (Math.abs(a - e) > rel * Math.max(Math.abs(a), Math.abs(e)) + abs) return `${what}[${i}]: got ${a}, expected ${e} (diff ${a - e})`;
  }
  return null;
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-4, abs = 1e-5): void {
  const found = mismatch(actual, expected, what, rel, abs);
  if (found !== null) expect.fail(found);
}

describe("webgpu kernel layer, without a device", () => {
  it("size classes: powers of two up to 1 MiB, quarter steps above, at least 256 bytes", () => {
    expect([0, 1, 256, 257, 1000, 4096, 4097, 1 << 20].map(sizeClass)).toEqual([256, 256, 256, 512, 1024, 4096, 8192, 1 << 20]);
    expect(sizeClass((1 << 20) + 1)).toBe((1 << 20) + (1 << 18));
    expect(sizeClass(3 * (1 << 20) + 5)).toBe(3.5 * (1 << 20));
    expect(() => sizeClass(-1)).toThrow(/non-negative integer, got -1/);
  });

  it("the pool reuses a released buffer of the same class, empties its cache under its limit, then throws OutOfMemoryError", () => {
    const made: number[] = [];
    const destroyed: number[] = [];
    const device = {
      limits: { maxStorageBufferBindingSize: 1 << 30 },
      createBuffer: ({ size }: { size: number }): GpuBuffer => {
        made.push(size);
        return { size, destroy: () => destroyed.push(size) } as unknown as GpuBuffer;
      },
    } as unknown as GpuDevice;
    const pool = new BufferPool(device, 8192);
    const a = pool.acquire(1000); // 4000 bytes → the 4096 class
    pool.release(a);
    const b = pool.acquire(1024);
    expect(b.buffer).toBe(a.buffer);
    expect(made).toEqual([4096]);
    pool.release(b);
    expect(pool.stats()).toMatchObject({ allocated: 0, cached: 4096, reserved: 4096, peak: 4096, count: 0 });
    // 8192 bytes fit the limit only once the cached 4096 are destroyed
    const c = pool.acquire(2048);
    expect(destroyed).toEqual([4096]);
    expect(pool.stats()).toMatchObject({ allocated: 8192, cached: 0 });
    expect(() => pool.acquire(1, "add")).toThrow(OutOfMemoryError);
    expect(() => pool.acquire(1, "add")).toThrow(/add: out of memory: tried to allocate .*in the WebGPU buffer pool/);
    pool.release(c);
  });

  it("turns the device's out-of-memory (an error scope's verdict, which arrives late) into OutOfMemoryError", async () => {
    const destroyed: number[] = [];
    const scopes: string[] = [];
    let made = 0;
    const device = {
      limits: { maxStorageBufferBindingSize: 1 << 30 },
      createBuffer: ({ size }: { size: number }): GpuBuffer => {
        made++;
        return { size, destroy: () => destroyed.push(size) } as unknown as GpuBuffer;
      },
      pushErrorScope: (filter: string) => scopes.push(filter),
      // the second and the fourth buffer fail, as a device without the memory reports it
      popErrorScope: () => Promise.resolve(made === 2 || made === 4 ? { message: "Out of memory" } : null),
    } as unknown as GpuDevice;
    const pool = new BufferPool(device);
    const a = pool.acquire(1000, "first");
    const b = pool.acquire(2000, "second"); // handed out: the verdict comes later
    expect(scopes).toEqual(["out-of-memory", "out-of-memory"]);
    await expect(pool.settle()).rejects.toThrow(OutOfMemoryError);
    await pool.settle(); // thrown once
    // the invalid buffer is destroyed when released, never cached for reuse
    pool.release(b);
    expect(destroyed).toEqual([8192]);
    expect(pool.stats()).toMatchObject({ allocated: 4096, cached: 0, count: 1 });
    pool.release(a);
    // a failure not yet collected by settle() is thrown by the next acquire
    pool.emptyCache();
    const c = pool.acquire(1, "third");
    pool.acquire(1, "fourth");
    await Promise.resolve();
    expect(() => pool.acquire(1, "fifth")).toThrow(/fourth: out of memory: tried to allocate 0.0 MiB \(256 bytes\).*the WebGPU device is out of memory \(Out of memory\)/);
    pool.release(c);
  });

  it("merges the dimensions every operand walks as one", () => {
    expect(mergeDims([2, 3, 4], [[12, 4, 1], [0, 0, 1]])).toEqual({ dims: [6, 4], strides: [[4, 1], [0, 1]] });
    expect(mergeDims([2, 3, 4], [[12, 4, 1], [12, 4, 1]])).toEqual({ dims: [24], strides: [[1], [1]] });
    expect(mergeDims([3, 1, 4], [[1, 99, 3]])).toEqual({ dims: [3, 4], strides: [[1, 3]] });
    expect(mergeDims([1, 1], [[5, 7]])).toEqual({ dims: [1], strides: [[0]] });
  });

  it("writes a WGSL shader for every declared kernel", () => {
    const kernels = declaredKernels();
    expect(kernels.length).toBeGreaterThan(100);
    for (const { kernel } of kernels) expect(pointwiseShader(kernel)).toContain(`// ${kernel.key}`);
  });

  it("writes a WGSL shader for every kernel the ops ask for with int32 or bool operands", () => {
    const kernels = everyTypedKernel();
    // comparisons, logic, where, the numeric ops in i32 and the float ops on int inputs
    expect(kernels.filter((k) => computeTypeOf(k.inputs, k.out, k.params) === "i32").length).toBeGreaterThan(40);
    expect(kernels.filter((k) => k.out === "bool").length).toBeGreaterThan(40);
    for (const k of kernels) expect(pointwiseShader(k.kernel, { inputs: k.inputs, out: k.out, compute: computeTypeOf(k.inputs, k.out, k.params) })).toContain(k.kernel.key);
  });

  it("refuses what an int32 kernel cannot compute, naming the kernel", () => {
    const types = { inputs: ["int32", "int32"] as GpuDType[], out: "int32" as GpuDType, compute: "i32" as const };
    expect(() => pointwiseShader(kernelOf(add(input(0), input(1))), { ...types, inputs: ["int32"] })).toThrow(/1 input dtypes for 2 inputs/);
    expect(() => pointwiseShader(kernelOf(mul(input(0), 0.5)), { ...types, inputs: ["int32"] })).toThrow(/mul\(in0,0.5\) has the constant 0.5/);
    expect(() => pointwiseShader(kernelOf(add(div(input(0), input(1)), 1)), types)).toThrow(/divides int32 values inside add/);
    expect(() => pointwiseShader(kernelOf(apply("exp", input(0))), { ...types, inputs: ["int32"] })).toThrow(/applies exp to int32 values/);
  });
});

describe.skipIf(gpu === null)(`webgpu kernels on a device${gpu === null ? ` (skipped: ${reason})` : ""}`, () => {
  const kernels = declaredKernels();

  it("every generated pointwise kernel agrees with the JS kernel, over layouts and broadcasts", async () => {
    const checks: Promise<string | null>[] = [];
    for (const { kernel, params } of kernels) {
      for (const [shape, layout] of [[[300], "contiguous"], [[17, 5], "transposed"], [[2, 3, 67], "offset"]] as const) {
        const inputs = Array.from({ length: kernel.arity }, (_, i) => {
          const v = randomView([...shape], i === 0 ? layout : "contiguous");
          // the second input broadcast along the last dim, the third along the first
          if (i === 1 && shape.length > 1) return { ...v, strides: [...v.strides.slice(0, -1), 0] };
          if (i === 2 && shape.length > 1) return { ...v, strides: [0, ...v.strides.slice(1)] };
          return v;
        });
        const size = numelOf([...shape]);
        const expected = new Float32Array(size);
        jsPointwise(kernel, inputs, expected, params.map(Math.fround), true);
        const gpuInputs = inputs.map(toGpu);
        const out = gpu!.alloc(size);
        gpu!.pointwise(kernel, gpuInputs, out, params);
        checks.push(
          gpu!.read(out).then((actual) => {
            for (const v of gpuInputs) gpu!.release(v.data);
            gpu!.release(out);
            return mismatch(actual, expected, `${kernel.key} ${shape} ${layout}`);
          }),
        );
      }
    }
    // every disagreeing kernel at once, each with its first disagreeing element
    expect((await Promise.all(checks)).filter((m) => m !== null)).toEqual([]);
  });

  it("every generated pointwise kernel keeps special values as the JS kernel does (±100, ±0, 1e-7, ±inf, NaN)", async () => {
    const specials = [100, -100, 0, -0, 1e-7, -1e-7, 1e-30, Infinity, -Infinity, NaN, 88, -88, 89, -104, 20, -20, 0.6, -0.625, 3, -3, 0.5];
    const size = 128;
    const checks: Promise<string | null>[] = [];
    for (const { kernel, params } of kernels) {
      const inputs = Array.from({ length: kernel.arity }, (_, i): StridedView => {
        const data = new Float32Array(size);
        for (let j = 0; j < size; j++) data[j] = specials[(j * (i + 1) + i) % specials.length]!;
        return { data, shape: [size], strides: [1], offset: 0 };
      });
      const expected = new Float32Array(size);
      jsPointwise(kernel, inputs, expected, params.map(Math.fround), true);
      const out = gpu!.alloc(size);
      gpu!.pointwise(kernel, inputs.map(toGpu), out, params);
      // WGSL may flush subnormals to zero (e^-88 = 6e-39 is one): results built on them agree in
      // absolute terms only. The JS GELU is PyTorch's CPU one, whose erf (oneDNN's) is within
      // 1.5e-7 of erf: 4e-5 relative at x = −3, where the device's Φ is within a few ulps
      const rel = kernel.key.startsWith("geluErf") ? 1e-4 : 1e-5;
      checks.push(gpu!.read(out).then((actual) => mismatch(actual, expected, `${kernel.key} specials`, rel, 1e-35)));
    }
    expect((await Promise.all(checks)).filter((m) => m !== null)).toEqual([]);
  });

  it("copies a strided view into a contiguous buffer with the identity kernel (what the Backend's copy does)", async () => {
    const identity = kernelOf(input(0));
    for (const [shape, layout] of [[[17, 5], "transposed"], [[2, 3, 67], "offset"], [[64, 33, 2], "transposed"]] as const) {
      const x = randomView([...shape], layout);
      const expected = new Float32Array(numelOf([...shape]));
      jsBackend.copy(x, expected);
      const out = gpu!.alloc(expected.length);
      gpu!.pointwise(identity, [toGpu(x)], out, []);
      expect(Array.from(await gpu!.read(out)), `${shape} ${layout}`).toEqual(Array.from(expected));
    }
  });

  it("assign writes a broadcast view into strided positions as the JS kernel, from a view of the same buffer too", async () => {
    for (const [shape, ld] of [[[17, 3], "transposed"], [[3, 17, 5], "offset"], [[255, 17], "transposed"]] as const) {
      const dst = randomView([...shape], ld);
      const src = randomView([...shape], "contiguous");
      const broadcast = { ...src, strides: [0, ...src.strides.slice(1)] };
      const expected = (dst.data as Float32Array).slice();
      jsBackend.assign({ ...dst, data: expected }, broadcast);
      const gd = toGpu(dst);
      gpu!.assign(gd, toGpu(broadcast));
      expect(Array.from(await gpu!.read(gd.data)), `${shape} ${ld}`).toEqual(Array.from(expected));
    }
    // x[1:] = x[:-1]: overlapping views of one buffer
    const data = Float32Array.from({ length: 10 }, (_, i) => i);
    const expected = data.slice();
    jsBackend.assign({ data: expected, shape: [9], strides: [1], offset: 1 }, { data: expected.slice(), shape: [9], strides: [1], offset: 0 });
    const g = gpu!.upload(data);
    gpu!.assign({ data: g, shape: [9], strides: [1], offset: 1 }, { data: g, shape: [9], strides: [1], offset: 0 });
    expect(Array.from(await gpu!.read(g))).toEqual(Array.from(expected));
  });

  it("runs in place: the output may be an input's buffer", async () => {
    const kernel = kernels.find((k) => k.kernel.key === "add(in0,in1)")!.kernel;
    const x = randomView([1000], "contiguous");
    const y = randomView([1000], "contiguous");
    const expected = new Float32Array(1000);
    jsPointwise(kernel, [x, y], expected, [], true);
    const gx = toGpu(x);
    gpu!.pointwise(kernel, [gx, toGpu(y)], gx.data, []);
    expectNear(await gpu!.read(gx.data), expected, "add in place", 0, 0);
    // one buffer bound twice for reading (x·x) needs no scratch
    const square = kernels.find((k) => k.kernel.key === "mul(in0,in1)")!.kernel;
    const squared = new Float32Array(1000);
    jsPointwise(square, [x, x], squared, [], true);
    const gy = toGpu(x);
    const out = gpu!.alloc(1000);
    gpu!.pointwise(square, [gy, gy], out, []);
    expectNear(await gpu!.read(out), squared, "x·x", 0, 0);
  });

  it("a chain of 400 kernels (batches of recorded kernels), releasing as it goes, reuses no buffer a recorded kernel still needs", async () => {
    // x ← x·p0 + p1 with different numbers each step; tensors of 3 elements share the size class of
    // the kernels' argument buffers, so a buffer reused too early would show
    const step = kernelOf(add(mul(input(0), param(0)), param(1)));
    for (const n of [3, 1000]) {
      const start = Float32Array.from({ length: n }, (_, i) => i - 1);
      let expected = start.slice();
      let x = gpu!.upload(start);
      for (let i = 0; i < 200; i++) {
        // two steps, then both inputs released: the next step's output and its argument buffer
        // come from the pool, where the older input's buffer is still read by a recorded kernel
        const chain = [x];
        for (let k = 0; k < 2; k++) {
          const params = [k === 0 ? 0.5 : 1.5, i + k];
          const next = new Float32Array(n);
          jsPointwise(step, [{ data: expected, shape: [n], strides: [1], offset: 0 }], next, params, true);
          expected = next;
          const to = gpu!.alloc(n);
          gpu!.pointwise(step, [{ data: chain[k]!, shape: [n], strides: [1], offset: 0 }], to, params);
          chain.push(to);
        }
        gpu!.release(chain[0]!);
        gpu!.release(chain[1]!);
        x = chain[2]!;
      }
      expectNear(await gpu!.read(x), expected, `chain of 400, n = ${n}`, 0, 0);
    }
  });

  it("spreads more than 65535 workgroups over two grid dimensions", async () => {
    const kernel = kernels.find((k) => k.kernel.key === "neg(in0)")!.kernel;
    const n = 65536 * 256 + 3;
    const x = new Float32Array(n).map((_, i) => i % 1000);
    const out = gpu!.alloc(n);
    gpu!.pointwise(kernel, [{ data: gpu!.upload(x), shape: [n], strides: [1], offset: 0 }], out, []);
    const actual = await gpu!.read(out);
    expect([actual[0], actual[999], actual[n - 1]]).toEqual([-0, -999, -((n - 1) % 1000)]);
  });

  /** Float32 matmul error bound per element: k roundings of terms at most Σ|a||b|. */
  function matmulTolerance(a: StridedView, b: StridedView, m: number, k: number, n: number, batchShape: number[]): Float64Array {
    const absView = (v: StridedView): StridedView => ({ ...v, data: Float64Array.from(v.data, Math.abs) });
    const out = new Float64Array(numelOf(batchShape) * m * n);
    jsBackend.matmul({ a: absView(a), b: absView(b), out, batchShape, m, k, n });
    return out.map((v) => 2 * k * 2 ** -24 * v + 1e-30);
  }

  async function checkMatmul(m: number, k: number, n: number, la: Layout, lb: Layout, batchShape: number[] = [], broadcastB = false): Promise<void> {
    const a = randomView([...batchShape, m, k], la);
    let b = randomView([...batchShape, k, n], lb);
    if (broadcastB) b = { ...b, strides: [...batchShape.map(() => 0), ...b.strides.slice(-2)] };
    const size = numelOf(batchShape) * m * n;
    const expected = new Float32Array(size);
    jsBackend.matmul({ a, b, out: expected, batchShape, m, k, n });
    const out = gpu!.alloc(size);
    gpu!.matmul({ a: toGpu(a), b: toGpu(b), out, batchShape, m, k, n });
    const actual = await gpu!.read(out);
    const tol = matmulTolerance(a, b, m, k, n, batchShape);
    for (let i = 0; i < size; i++) {
      if (!(Math.abs(actual[i]! - expected[i]!) <= tol[i]!)) {
        expect.fail(`matmul ${batchShape}x${m}x${k}x${n} ${la}/${lb} [${i}]: got ${actual[i]}, expected ${expected[i]}`);
      }
    }
  }

  it("tiled matmul agrees with the JS kernel on sizes off the 64×64×16 tiles, all transpose combinations", async () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [64, 16, 64], [65, 17, 63], [17, 255, 3], [128, 64, 130]]) {
      for (const la of ["contiguous", "transposed"] as const) {
        for (const lb of ["contiguous", "transposed"] as const) await checkMatmul(m!, k!, n!, la, lb);
      }
    }
    await checkMatmul(300, 600, 70, "offset", "transposed");
    await checkMatmul(1, 784, 10, "contiguous", "offset");
  });

  it("int32 matmul agrees exactly with the JS kernel (transposed, batched and broadcast operands too)", async () => {
    const cases: [number, number, number, Layout, Layout, number[], boolean][] = [
      [65, 17, 63, "contiguous", "transposed", [], false], [3, 300, 5, "transposed", "offset", [], false], [17, 33, 70, "offset", "contiguous", [2, 3], true],
    ];
    for (const [m, k, n, la, lb, batchShape, broadcastB] of cases) {
      const a = randomTyped([...batchShape, m, k], la, "int32");
      let b = randomTyped([...batchShape, k, n], lb, "int32");
      if (broadcastB) b = { ...b, strides: [...batchShape.map(() => 0), ...b.strides.slice(-2)] };
      const size = numelOf(batchShape) * m * n;
      const expected = new Int32Array(size);
      jsBackend.matmul({ a, b, out: expected, batchShape, m, k, n });
      const out = gpu!.alloc(size, "matmul", "int32");
      const up = (v: StridedView): GpuStridedView => ({ ...v, data: gpu!.upload(v.data as Int32Array) });
      gpu!.matmul({ a: up(a), b: up(b), out, batchShape, m, k, n });
      expect(Array.from(await gpu!.readTyped(out)), `int32 matmul ${batchShape}x${m}x${k}x${n}`).toEqual(Array.from(expected));
    }
    const f = gpu!.alloc(4);
    const i = gpu!.alloc(4, "matmul", "int32");
    const view = (data: GpuArray): GpuStridedView => ({ data, shape: [2, 2], strides: [2, 1], offset: 0 });
    expect(() => gpu!.matmul({ a: view(f), b: view(i), out: f, batchShape: [], m: 2, k: 2, n: 2 })).toThrow(/got float32, int32 and float32/);
  });

  it("batched matmul walks batch strides, broadcast ones included", async () => {
    await checkMatmul(17, 9, 33, "contiguous", "contiguous", [3]);
    await checkMatmul(5, 70, 66, "transposed", "offset", [2, 3]);
    await checkMatmul(65, 3, 2, "contiguous", "transposed", [2, 2], true);
  });

  it("reductions (sum, prod, max, min) agree with the JS kernel, rows longer than a workgroup included", async () => {
    for (const op of ["sum", "prod", "max", "min"] as const) {
      // rows up to 64 long fold a thread each, longer ones a workgroup each: both sides of that line
      for (const [outer, inner] of [[1, 1], [1, 3], [3, 17], [5, 64], [5, 65], [17, 255], [255, 3], [2, 1000], [4, 4099]]) {
        // prod over values near 1, so that long rows neither overflow nor vanish
        const x = randomView([outer!, inner!], "contiguous", op === "prod" ? 0.01 : 3).data as Float32Array;
        if (op === "prod") for (let i = 0; i < x.length; i++) x[i] = 1 + x[i]!;
        const expected = new Float32Array(outer!);
        jsBackend.reduce(op, x, outer!, inner!, expected);
        const out = gpu!.alloc(outer!);
        gpu!.reduce(op, gpu!.upload(x), outer!, inner!, out);
        const actual = await gpu!.read(out);
        if (op === "max" || op === "min") expect(Array.from(actual), `${op} ${outer}x${inner}`).toEqual(Array.from(expected));
        else {
          // a tree and a sequential sum round differently: within inner roundings of Σ|x|
          const bound = new Float32Array(outer!);
          jsBackend.reduce(op === "sum" ? "sum" : "prod", x.map(Math.abs), outer!, inner!, bound);
          for (let o = 0; o < outer!; o++) {
            expect(Math.abs(actual[o]! - expected[o]!), `${op} ${outer}x${inner}[${o}]`).toBeLessThanOrEqual(2 * inner! * 2 ** -24 * bound[o]! + 1e-30);
          }
        }
      }
    }
  });

  it("logsumexp agrees with the JS kernel, rows of ±inf and NaN included", async () => {
    for (const [outer, inner] of [[1, 1], [3, 17], [17, 255], [2, 1000], [4, 4099]]) {
      const x = randomView([outer!, inner!], "contiguous", 30).data as Float32Array;
      const expected = new Float32Array(outer!);
      jsBackend.reduce("logsumexp", x, outer!, inner!, expected);
      const out = gpu!.alloc(outer!);
      gpu!.reduce("logsumexp", gpu!.upload(x), outer!, inner!, out);
      expectNear(await gpu!.read(out), expected, `logsumexp ${outer}x${inner}`, 1e-5, 1e-5);
    }
    const special = new Float32Array([-Infinity, -Infinity, 1, Infinity, 2, NaN, 0, 0]);
    const out = gpu!.alloc(4);
    gpu!.reduce("logsumexp", gpu!.upload(special), 4, 2, out);
    const actual = Array.from(await gpu!.read(out));
    expect(actual.slice(0, 3)).toEqual([-Infinity, Infinity, NaN]);
    expect(actual[3]).toBeCloseTo(Math.LN2, 6);
  });

  it("argReduce (max, min) agrees with the JS kernel: the first extreme, the first NaN", async () => {
    for (const op of ["max", "min"] as const) {
      for (const [outer, inner] of [[1, 1], [3, 17], [17, 255], [2, 1000], [4, 4099]]) {
        const x = randomView([outer!, inner!], "contiguous").data as Float32Array;
        // ties (the first wins) and NaN (the first NaN wins) in some rows
        for (let o = 0; o < outer!; o++) {
          if (o % 2 === 1) for (let i = 0; i < inner!; i++) x[o * inner! + i] = Math.round(x[o * inner! + i]!);
          if (o % 3 === 2 && inner! > 5) x[o * inner! + 5] = x[o * inner! + inner! - 1] = NaN;
        }
        const values = new Float32Array(outer!);
        const indices = new Int32Array(outer!);
        jsBackend.argReduce(op, x, outer!, inner!, values, indices);
        const gv = gpu!.alloc(outer!);
        const gi = gpu!.alloc(outer!);
        gpu!.argReduce(op, gpu!.upload(x), outer!, inner!, gv, gi);
        expect(Array.from(await gpu!.read(gv)), `${op} ${outer}x${inner} values`).toEqual(Array.from(values));
        expect(Array.from(await gpu!.readInt32(gi)), `${op} ${outer}x${inner} indices`).toEqual(Array.from(indices));
      }
    }
  });

  it("softmax and log-softmax follow the reference's formulas (shifted by the row maximum), rows of −inf, +inf and NaN included", async () => {
    /** src/ops/softmax.ts's reference in float64: m = max (0 for a row of −inf), e = e^(x − m), e/Σe or (x − m) − log Σe. */
    const reference = (x: Float32Array, outer: number, inner: number, log: boolean): Float32Array => {
      const out = new Float32Array(x.length);
      for (let o = 0; o < outer; o++) {
        const row = x.subarray(o * inner, (o + 1) * inner);
        let top = -Infinity;
        for (const v of row) top = v !== v || top !== top ? NaN : Math.max(top, v);
        const m = top === -Infinity ? 0 : top;
        let s = 0;
        for (const v of row) s += Math.exp(v - m);
        row.forEach((v, j) => (out[o * inner + j] = log ? v - m - Math.log(s) : Math.exp(v - m) / s));
      }
      return out;
    };
    for (const log of [false, true]) {
      for (const [outer, inner] of [[1, 1], [3, 17], [5, 64], [5, 65], [70, 4], [17, 255], [2, 1000], [4, 4099]]) {
        const x = randomView([outer!, inner!], "contiguous", 20).data as Float32Array;
        const out = gpu!.alloc(x.length);
        gpu!.softmax(gpu!.upload(x), outer!, inner!, out, log);
        expectNear(await gpu!.read(out), reference(x, outer!, inner!, log), `${log ? "log-softmax" : "softmax"} ${outer}x${inner}`, 1e-5, 1e-6);
      }
      const special = new Float32Array([-Infinity, -Infinity, 1, Infinity, 2, NaN, 100, -100]);
      const out = gpu!.alloc(8);
      gpu!.softmax(gpu!.upload(special), 4, 2, out, log);
      expectNear(await gpu!.read(out), reference(special, 4, 2, log), `${log ? "log-softmax" : "softmax"} specials`, 1e-5, 1e-35);
    }
  });

  it("the fused Adam/AdamW and SGD steps agree with the JS loops over three steps, every option", async () => {
    const n = 1000;
    const fresh = (scale: number): Float32Array => randomView([n], "contiguous", scale).data as Float32Array;
    const failures: string[] = [];
    for (const amsgrad of [false, true]) {
      for (const [decoupled, weightDecay] of [[false, 0], [false, 0.1], [true, 0.1]] as const) {
        for (const maximize of [false, true]) {
          const cpu = { param: fresh(1), expAvg: new Float32Array(n), expAvgSq: new Float32Array(n), maxExpAvgSq: amsgrad ? new Float32Array(n) : null };
          const dev = {
            param: gpu!.upload(cpu.param), expAvg: gpu!.upload(cpu.expAvg), expAvgSq: gpu!.upload(cpu.expAvgSq),
            maxExpAvgSq: cpu.maxExpAvgSq ? gpu!.upload(cpu.maxExpAvgSq) : null,
          };
          for (let step = 1; step <= 3; step++) {
            const grad = fresh(0.5);
            const options = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, maximize, step };
            jsBackend.fused!.adamStep!({ ...cpu, grad, ...options });
            gpu!.adamStep({ ...dev, grad: gpu!.upload(grad), length: n, ...options });
          }
          const what = `adam amsgrad=${amsgrad} decoupled=${decoupled} wd=${weightDecay} maximize=${maximize}`;
          failures.push(...[mismatch(await gpu!.read(dev.param), cpu.param, `${what} param`, 1e-5, 1e-7), mismatch(await gpu!.read(dev.expAvgSq), cpu.expAvgSq, `${what} v`, 1e-5, 1e-12)].filter((m) => m !== null));
        }
      }
    }
    for (const [momentum, dampening, nesterov] of [[0, 0, false], [0.9, 0, false], [0.9, 0.1, false], [0.9, 0, true]] as const) {
      for (const [weightDecay, maximize] of [[0, false], [0.01, true]] as const) {
        const param = fresh(1);
        const buffer = momentum ? new Float32Array(n) : null;
        const dev = { param: gpu!.upload(param), momentumBuffer: buffer ? gpu!.upload(buffer) : null };
        for (let step = 1; step <= 3; step++) {
          const grad = fresh(0.5);
          const options = { lr: 0.1, momentum, dampening, weightDecay, nesterov, maximize, firstStep: step === 1 };
          jsBackend.fused!.sgdStep!({ param, grad, momentumBuffer: buffer, ...options });
          gpu!.sgdStep({ ...dev, grad: gpu!.upload(grad), length: n, ...options });
        }
        const m = mismatch(await gpu!.read(dev.param), param, `sgd momentum=${momentum} dampening=${dampening} nesterov=${nesterov} wd=${weightDecay}`, 1e-5, 1e-7);
        if (m !== null) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
  });

  it("gather and scatterAdd agree with the JS kernels, colliding indices included", async () => {
    for (const [outer, inner, k] of [[1, 1, 1], [3, 17, 5], [17, 255, 300], [2, 10, 5000]]) {
      const x = randomView([outer!, inner!], "contiguous").data as Float32Array;
      const index = Int32Array.from({ length: outer! * k! }, () => Math.floor(random() * inner!));
      const src = randomView([outer!, k!], "contiguous").data as Float32Array;
      const gathered = new Float32Array(outer! * k!);
      jsBackend.gather(x, index, outer!, inner!, k!, gathered);
      const gi = gpu!.upload(index);
      const gOut = gpu!.alloc(outer! * k!);
      gpu!.gather(gpu!.upload(x), gi, outer!, inner!, k!, gOut);
      expect(Array.from(await gpu!.read(gOut)), `gather ${outer}x${inner}x${k}`).toEqual(Array.from(gathered));
      const summed = x.slice();
      jsBackend.scatterAdd(src, index, outer!, inner!, k!, summed);
      const sOut = gpu!.upload(x);
      gpu!.scatterAdd(gpu!.upload(src), gi, outer!, inner!, k!, sOut);
      // colliding additions in the hardware's order: within (collisions) roundings of the sum of magnitudes
      const bound = x.map(Math.abs);
      jsBackend.scatterAdd(src.map(Math.abs), index, outer!, inner!, k!, bound);
      const actual = await gpu!.read(sOut);
      for (let i = 0; i < summed.length; i++) {
        expect(Math.abs(actual[i]! - summed[i]!), `scatterAdd ${outer}x${inner}x${k}[${i}]`).toBeLessThanOrEqual(2 * (k! + 1) * 2 ** -24 * bound[i]! + 1e-30);
      }
    }
  });

  it("conv2d and its two gradients agree with the JS kernels (stride, padding, dilation, groups, with and without bias)", async () => {
    const geometries: Conv2dGeometry[] = [];
    const make = (n: number, c: number, h: number, w: number, o: number, groups: number, k: number, s: number, p: number, d: number): Conv2dGeometry => {
      const oh = Math.floor((h + 2 * p - d * (k - 1) - 1) / s) + 1;
      const ow = Math.floor((w + 2 * p - d * (k - 1) - 1) / s) + 1;
      return { n, c, h, w, o, groups, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: d, dw: d, oh, ow };
    };
    geometries.push(make(2, 3, 9, 9, 4, 1, 3, 1, 1, 1), make(1, 4, 11, 7, 6, 2, 3, 2, 1, 1), make(2, 2, 10, 10, 2, 1, 2, 1, 0, 2), make(3, 6, 5, 5, 6, 3, 1, 1, 0, 1));
    // past one tile of the implicit GEMMs: 80 output channels (two row blocks of 64), 288 output
    // pixels (five column blocks), 72-long reductions; and groups of 20 channels with stride 2
    geometries.push(make(2, 8, 12, 12, 80, 1, 3, 1, 1, 1), make(1, 6, 9, 9, 40, 2, 3, 2, 1, 1));
    // and for the input's gradient (rows = input channels): 70 channels (two row blocks), and
    // groups of 18 with stride 2 (taps that land between outputs read 0)
    geometries.push(make(1, 70, 6, 6, 4, 1, 3, 1, 1, 1), make(2, 36, 7, 7, 8, 2, 3, 2, 1, 1));
    const contiguousView = (shape: number[]): StridedView => randomView(shape, "contiguous");
    const withBound = async (what: string, actual: GpuArray, expected: Float32Array, bound: Float32Array, terms: number): Promise<void> => {
      const got = await gpu!.read(actual);
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(got[i]! - expected[i]!), `${what}[${i}]`).toBeLessThanOrEqual(2 * terms * 2 ** -24 * bound[i]! + 1e-30);
      }
    };
    const abs = (v: StridedView): StridedView => ({ ...v, data: v.data.map(Math.abs) });
    /** x stored channels-last ([N, H, W, C] in memory), read through permuted strides. */
    const channelsLast = (n: number, c: number, h: number, w: number): StridedView => {
      const stored = randomView([n, h, w, c], "contiguous");
      return { ...stored, shape: [n, c, h, w], strides: [h * w * c, 1, w * c, c] };
    };
    for (const [k, g] of [...geometries.entries(), ...geometries.slice(0, 2).map((g, i) => [i, { ...g, direct: true }] as const)]) {
      // the direct kernels (the fallback) on the first two geometries
      gpu!.tiledConvolution = !("direct" in g);
      const what = JSON.stringify(g);
      const x = k % 2 === 1 ? channelsLast(g.n, g.c, g.h, g.w) : contiguousView([g.n, g.c, g.h, g.w]);
      const weight = contiguousView([g.o, g.c / g.groups, g.kh, g.kw]);
      const terms = (g.c / g.groups) * g.kh * g.kw + 1;
      for (const withBias of [false, true]) {
        const bias = withBias ? contiguousView([g.o]) : null;
        const expected = new Float32Array(g.n * g.o * g.oh * g.ow);
        jsBackend.conv2d(g, x, weight, bias, expected);
        const bound = new Float32Array(expected.length);
        jsBackend.conv2d(g, abs(x), abs(weight), bias && abs(bias), bound);
        const out = gpu!.alloc(expected.length);
        gpu!.conv2d(g, toGpu(x), toGpu(weight), bias && toGpu(bias), out);
        await withBound(`conv2d bias=${withBias} ${what}`, out, expected, bound, terms);
      }
      const gy = contiguousView([g.n, g.o, g.oh, g.ow]);
      const gx = new Float32Array(g.n * g.c * g.h * g.w);
      jsBackend.conv2dInput(g, gy, weight, gx);
      const gxBound = new Float32Array(gx.length);
      jsBackend.conv2dInput(g, abs(gy), abs(weight), gxBound);
      const gxOut = gpu!.alloc(gx.length);
      gpu!.conv2dInput(g, toGpu(gy), toGpu(weight), gxOut);
      await withBound(`conv2dInput ${what}`, gxOut, gx, gxBound, (g.o / g.groups) * g.kh * g.kw);
      const gw = new Float32Array((g.o * g.c * g.kh * g.kw) / g.groups);
      jsBackend.conv2dWeight(g, x, gy, gw);
      const gwBound = new Float32Array(gw.length);
      jsBackend.conv2dWeight(g, abs(x), abs(gy), gwBound);
      const gwOut = gpu!.alloc(gw.length);
      gpu!.conv2dWeight(g, toGpu(x), toGpu(gy), gwOut);
      await withBound(`conv2dWeight ${what}`, gwOut, gw, gwBound, g.n * g.oh * g.ow);
    }
    gpu!.tiledConvolution = true;
  });

  it("maxPool2d (values and places, NaN first) and fold2d agree with the JS kernels", async () => {
    const cases = [
      { shape: [2, 3, 9, 9], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
      { shape: [1, 2, 10, 7], kernel: [2, 3], stride: [1, 2], padding: [0, 1], dilation: [2, 1] },
    ];
    for (const { shape, kernel, stride, padding, dilation } of cases) {
      const x = randomView(shape, "transposed");
      (x.data as Float32Array)[5] = NaN;
      const [, , h, w] = shape as [number, number, number, number];
      const out = [0, 1].map((d) => Math.floor((shape[d + 2]! + 2 * padding[d]! - dilation[d]! * (kernel[d]! - 1) - 1) / stride[d]!) + 1);
      const size = shape[0]! * shape[1]! * out[0]! * out[1]!;
      const values = new Float32Array(size);
      const indices = new Int32Array(size);
      jsBackend.maxPool2d({ x, kernel, stride, padding, dilation, out, values, indices });
      const gv = gpu!.alloc(size);
      const gi = gpu!.alloc(size);
      gpu!.maxPool2d({ x: toGpu(x), kernel, stride, padding, dilation, out, values: gv, indices: gi });
      expect(Array.from(await gpu!.read(gv)), `maxPool2d ${shape}`).toEqual(Array.from(values));
      expect(Array.from(await gpu!.readInt32(gi)), `maxPool2d ${shape} indices`).toEqual(Array.from(indices));
      // fold2d (no padding: every tap lands inside) of columns with this pooling's windows, onto a non-zero out
      const folds = [0, 1].map((d) => Math.floor((shape[d + 2]! - dilation[d]! * (kernel[d]! - 1) - 1) / stride[d]!) + 1);
      const cols = randomView([shape[0]!, shape[1]!, kernel[0]!, kernel[1]!, folds[0]!, folds[1]!], "transposed");
      const start = randomView(shape, "contiguous").data as Float32Array;
      const expected = start.slice();
      const dims = [h, w];
      jsBackend.fold2d(cols, dims, stride, dilation, expected);
      const folded = gpu!.upload(start);
      gpu!.fold2d(toGpu(cols), dims, stride, dilation, folded);
      expectNear(await gpu!.read(folded), expected, `fold2d ${shape}`, 1e-6, 1e-6);
    }
  });

  it("every pointwise kernel the ops ask for with int32 or bool operands agrees with the JS kernel", async () => {
    const checks: Promise<string | null>[] = [];
    for (const k of typedKernels()) {
      const compute = computeTypeOf(k.inputs, k.out, k.params);
      for (const [shape, layout] of [[[300], "contiguous"], [[17, 5], "transposed"], [[2, 3, 67], "offset"]] as const) {
        const inputs = k.inputs.map((dtype, i) => {
          const v = randomTyped([...shape], i === 0 ? layout : "contiguous", dtype);
          if (i === 1 && shape.length > 1) return { ...v, strides: [...v.strides.slice(0, -1), 0] };
          if (i === 2 && shape.length > 1) return { ...v, strides: [0, ...v.strides.slice(1)] };
          return v;
        });
        const size = numelOf([...shape]);
        const expected = typedArrayOf(k.out, size);
        // an integer kernel in float64, exact for these values; a float one rounded as float32
        jsPointwise(k.kernel, inputs, expected, k.params, compute === "f32");
        const gpuInputs = inputs.map((v) => ({ ...v, data: gpu!.upload(v.data as Float32Array | Int32Array | Uint8Array) }));
        const out = gpu!.alloc(size, "test", k.out);
        gpu!.pointwise(k.kernel, gpuInputs, out, k.params);
        const what = `${k.kernel.key} [${k.inputs} -> ${k.out} in ${compute}] ${shape} ${layout}`;
        checks.push(
          gpu!.readTyped(out).then((actual) => {
            for (const v of gpuInputs) gpu!.release(v.data);
            gpu!.release(out);
            if (k.out === "float32") return mismatch(actual, expected, what);
            const at = expected.findIndex((e, i) => actual[i] !== e);
            return at < 0 ? null : `${what}[${at}]: got ${actual[at]}, expected ${expected[at]}`;
          }),
        );
      }
    }
    expect((await Promise.all(checks)).filter((m) => m !== null)).toEqual([]);
  });

  it("int32 arithmetic wraps, divides and takes remainders as PyTorch's (checked in exact integers)", async () => {
    const edges = [0, 1, -1, 2, -2, 7, -7, 3, -3, 46341, -46341, 65536, 2147483647, -2147483648, 1000000007, -123456789];
    const a = new Int32Array(edges.length ** 2);
    const b = new Int32Array(edges.length ** 2);
    edges.forEach((x, i) => edges.forEach((y, j) => ((a[i * edges.length + j] = x), (b[i * edges.length + j] = y))));
    const wrap = (v: bigint): number => Number(BigInt.asIntN(32, v));
    const big = (v: number): bigint => BigInt(v);
    /** Python's floor division and remainder; 0 for a zero divisor (the JS kernel's NaN stored as int32). */
    const floorDiv = (x: bigint, y: bigint): bigint => (y === 0n ? 0n : x / y - ((x % y !== 0n && x < 0n !== y < 0n) ? 1n : 0n));
    const cases: [string, Kernel, (x: bigint, y: bigint) => bigint][] = [
      ["add", kernelOf(apply("add", input(0), input(1))), (x, y) => x + y],
      ["sub", kernelOf(apply("sub", input(0), input(1))), (x, y) => x - y],
      ["mul", kernelOf(apply("mul", input(0), input(1))), (x, y) => x * y],
      ["neg", kernelOf(apply("neg", input(0))), (x) => -x],
      ["abs", kernelOf(apply("abs", input(0))), (x) => (x < 0n ? -x : x)],
      ["floor division", kernelOf(apply("floor", div(input(0), input(1)))), floorDiv],
      ["trunc division", kernelOf(apply("trunc", div(input(0), input(1)))), (x, y) => (y === 0n ? 0n : x / y)],
      ["remainder", kernelOf(apply("remainder", input(0), input(1))), (x, y) => (y === 0n ? 0n : x - floorDiv(x, y) * y)],
      ["fmod", kernelOf(apply("fmod", input(0), input(1))), (x, y) => (y === 0n ? 0n : x % y)],
      ["pow", kernelOf(apply("pow", input(0), input(1))), (x, y) => (y >= 0n ? x ** (y > 40n ? 40n + (y % 2n) : y) : x === 1n ? 1n : x === -1n ? (y % 2n === 0n ? 1n : -1n) : 0n)],
    ];
    const ga = gpu!.upload(a);
    const gb = gpu!.upload(b);
    const failures: string[] = [];
    for (const [what, kernel, exact] of cases) {
      // pow: exponents up to 41 (beyond, x^y mod 2³² repeats the pattern the test already covers)
      const exps = what === "pow" ? Int32Array.from(b, (y) => (y > 41 ? 40 + (y % 2) : y)) : b;
      const view = (data: GpuArray): GpuStridedView => ({ data, shape: [a.length], strides: [1], offset: 0 });
      const inputs = kernel.arity === 1 ? [view(ga)] : [view(ga), view(what === "pow" ? gpu!.upload(exps) : gb)];
      const out = gpu!.alloc(a.length, what, "int32");
      gpu!.pointwise(kernel, inputs, out, []);
      const got = await gpu!.readTyped(out);
      for (let i = 0; i < a.length; i++) {
        const want = wrap(exact(big(a[i]!), big(exps[i]!)));
        if (got[i] !== want) {
          failures.push(`${what}(${a[i]}, ${exps[i]}): got ${got[i]}, expected ${want}`);
          break;
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("converts between float32, int32 and bool as the JS backend's copy and assign (ToInt32, ≠ 0)", async () => {
    const floats = new Float32Array([0, -0, 0.5, -0.5, 2.7, -2.7, NaN, Infinity, -Infinity, 3e9, -3e9, 2147483520, -2147483648, 1e20, 16777217, -7]);
    const all: [GpuDType, Float32Array | Int32Array | Uint8Array][] = [
      ["float32", floats],
      ["int32", new Int32Array([0, 1, -1, 2147483647, -2147483648, 16777217, 7, -7, 0, 3, 4, 5, 6, 8, 9, 10])],
      ["bool", new Uint8Array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0])],
    ];
    for (const [from, data] of all) {
      for (const [to] of all) {
        const expected = typedArrayOf(to, data.length);
        jsBackend.copy({ data, shape: [data.length], strides: [1], offset: 0 }, expected);
        const out = gpu!.alloc(data.length, "copy", to);
        gpu!.pointwise(kernelOf(input(0)), [{ data: gpu!.upload(data), shape: [data.length], strides: [1], offset: 0 }], out, []);
        expect(Array.from(await gpu!.readTyped(out)), `copy ${from} -> ${to}`).toEqual(Array.from(expected));
        // assign into every other element of a strided destination
        const dst = typedArrayOf(to, 2 * data.length);
        const want = dst.slice();
        jsBackend.assign({ data: want, shape: [data.length], strides: [2], offset: 1 }, { data, shape: [data.length], strides: [1], offset: 0 });
        const gd = gpu!.upload(dst as Float32Array | Int32Array | Uint8Array);
        gpu!.assign({ data: gd, shape: [data.length], strides: [2], offset: 1 }, { data: gpu!.upload(data), shape: [data.length], strides: [1], offset: 0 });
        expect(Array.from(await gpu!.readTyped(gd)), `assign ${from} -> ${to}`).toEqual(Array.from(want));
      }
    }
  });

  it("int32 and bool reductions, arg reductions, gather and scatterAdd agree with the JS kernels", async () => {
    const failures: string[] = [];
    const same = (what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void => {
      const at = Array.from(expected).findIndex((e, i) => actual[i] !== e);
      if (at >= 0) failures.push(`${what}[${at}]: got ${actual[at]}, expected ${expected[at]}`);
    };
    for (const [outer, inner] of [[1, 1], [3, 17], [17, 255], [2, 1000], [4, 4099]] as const) {
      const ints = Int32Array.from({ length: outer * inner }, () => Math.floor(random() * 19) - 9);
      // ±1 and a few 2s: products stay exact powers of two in float64, wrapping to 0 past 2³¹ as in int32
      const factors = Int32Array.from({ length: outer * inner }, () => [1, -1, 1, -1, 2][Math.floor(random() * 5)]!);
      const bools = Uint8Array.from({ length: outer * inner }, () => (random() < 0.3 ? 1 : 0));
      const runs: [string, ReduceOp, Int32Array | Uint8Array, GpuDType][] = [
        ["sum int32", "sum", ints, "int32"], ["prod int32", "prod", factors, "int32"], ["max int32", "max", ints, "int32"], ["min int32", "min", ints, "int32"],
        ["sum bool", "sum", bools, "int32"], ["max bool", "max", bools, "bool"], ["min bool", "min", bools, "bool"],
      ];
      for (const [what, op, x, outType] of runs) {
        const expected = typedArrayOf(outType, outer);
        jsBackend.reduce(op, x, outer, inner, expected);
        const out = gpu!.alloc(outer, what, outType);
        gpu!.reduce(op, gpu!.upload(x), outer, inner, out);
        same(`${what} ${outer}x${inner}`, await gpu!.readTyped(out), expected);
      }
      for (const [dtype, x] of [["int32", ints], ["bool", bools]] as const) {
        for (const op of ["max", "min"] as const) {
          const values = typedArrayOf(dtype, outer);
          const indices = new Int32Array(outer);
          jsBackend.argReduce(op, x, outer, inner, values, indices);
          const gv = gpu!.alloc(outer, "argReduce", dtype);
          const gi = gpu!.alloc(outer, "argReduce", "int32");
          gpu!.argReduce(op, gpu!.upload(x), outer, inner, gv, gi);
          same(`arg${op} ${dtype} ${outer}x${inner} values`, await gpu!.readTyped(gv), values);
          same(`arg${op} ${dtype} ${outer}x${inner} indices`, await gpu!.readInt32(gi), indices);
        }
        const k = 37;
        const index = Int32Array.from({ length: outer * k }, () => Math.floor(random() * inner));
        const gathered = typedArrayOf(dtype, outer * k);
        jsBackend.gather(x, index, outer, inner, k, gathered);
        const gOut = gpu!.alloc(outer * k, "gather", dtype);
        gpu!.gather(gpu!.upload(x), gpu!.upload(index), outer, inner, k, gOut);
        same(`gather ${dtype} ${outer}x${inner}`, await gpu!.readTyped(gOut), gathered);
        if (dtype === "int32") {
          const src = Int32Array.from({ length: outer * k }, () => Math.floor(random() * 2001) - 1000);
          const summed = ints.slice();
          jsBackend.scatterAdd(src, index, outer, inner, k, summed);
          const sOut = gpu!.upload(ints);
          gpu!.scatterAdd(gpu!.upload(src), gpu!.upload(index), outer, inner, k, sOut);
          same(`scatterAdd int32 ${outer}x${inner}`, await gpu!.readTyped(sOut), summed);
        }
      }
    }
    expect(failures).toEqual([]);
    // bool scatterAdd is PyTorch's "or" (a sum of bools stored as bool): [0, 1, 0] + src [1, 1, 0, 1] at [2, 2, 0, 1]
    const b = gpu!.upload(new Uint8Array([0, 1, 0]));
    gpu!.scatterAdd(gpu!.upload(new Uint8Array([1, 1, 0, 1])), gpu!.upload(new Int32Array([2, 2, 0, 1])), 1, 3, 4, b);
    expect(Array.from(await gpu!.readTyped(b))).toEqual([0, 1, 1]);
    const ints = gpu!.upload(new Int32Array(4));
    expect(() => gpu!.softmax(ints, 2, 2, gpu!.alloc(4), false)).toThrow(/webgpu softmax: expected float32 buffers, got int32/);
  });

  it("max and min propagate NaN, as PyTorch's", async () => {
    const x = new Float32Array([1, NaN, 3, 4, -1, -2, -3, -4]);
    for (const op of ["max", "min"] as const) {
      const out = gpu!.alloc(2);
      gpu!.reduce(op, gpu!.upload(x), 2, 4, out);
      const actual = await gpu!.read(out);
      expect(Number.isNaN(actual[0])).toBe(true);
      expect(actual[1]).toBe(op === "max" ? -1 : -4);
    }
  });

  it("a pool limit below a request throws OutOfMemoryError on the device too, and lifting it allocates again", () => {
    gpu!.flush();
    gpu!.pool.setLimit(gpu!.pool.stats().allocated + 4096);
    try {
      expect(() => gpu!.alloc(1_000_000, "add")).toThrow(OutOfMemoryError);
      expect(() => gpu!.alloc(1_000_000, "add")).toThrow(/add: out of memory: tried to allocate 3.8 MiB \(4000000 bytes\).*in the WebGPU buffer pool/);
    } finally {
      gpu!.pool.setLimit(null);
    }
    gpu!.release(gpu!.alloc(1_000_000, "add"));
  });

  it("pools buffers by size class and counts transfers", async () => {
    const before = gpu!.pool.stats();
    const a = gpu!.alloc(1000);
    expect(a.bytes).toBe(4096);
    gpu!.release(a);
    const b = gpu!.alloc(900);
    expect(b.buffer).toBe(a.buffer);
    gpu!.release(b);
    expect(gpu!.pool.stats().allocated).toBe(before.allocated);
    const toHost = gpu!.transfers.toHost;
    await gpu!.read(gpu!.upload(new Float32Array([1, 2, 3])));
    expect(gpu!.transfers.toHost).toBe(toHost + 1);
  });
});

const browserSkip = browserSkipReason("packages/nabla/dist/src/backend/webgpu/index.js");

describe.skipIf(browserSkip !== null)(`webgpu kernels in Chromium on navigator.gpu${browserSkip ? ` (skipped: ${browserSkip})` : ""}`, () => {
  it("gelu forward and backward, a matmul off the tiles and a row sum agree with the JS kernels", async () => {
    const { report: r, errors } = await runWebGpuPage<{ error?: string; source: string; pointwiseDiff: number; matmulDiff: number; sumDiff: number }>(
      '<!doctype html><script type="importmap">{"imports":{"#platform":"/packages/nabla/dist/src/backend/wasm/platform-browser.js"}}</script>' +
        '<script type="module" src="/test/browser/webgpu-page.js"></script>',
    );
    expect(errors).toEqual([]);
    expect(r.error).toBeUndefined();
    expect(r.source).toBe("navigator.gpu");
    expect(r.pointwiseDiff).toBeLessThan(1e-5);
    expect(r.matmulDiff).toBeLessThan(1e-4);
    expect(r.sumDiff).toBeLessThan(1e-4);
  });
});
