/**
 * How the wasm kernels start. Importing nabla compiles nothing; in Node the first op starts them
 * synchronously (every other test file does that). Here the platform module is replaced by one
 * that behaves as a browser's does (platform-browser.ts): the kernel bytes arrive only through
 * `ready()`. Then an op before ready() throws an error naming ready(), and after it ops run; the
 * JS backend needs no ready() at all. The bundled pages in Chromium check the same for real
 * (test/bundlers.test.ts).
 */
import { afterAll, describe, expect, it, vi } from "vitest";

vi.mock("#platform", async () => {
  const { platform } = await vi.importActual<typeof import("../packages/nabla/src/backend/wasm/platform-node.js")>("../packages/nabla/src/backend/wasm/platform-node.js");
  const loaded = new Set<boolean>();
  return {
    platform: {
      ...platform,
      kernelsNow: (relaxed: boolean) => (loaded.has(relaxed) ? platform.kernelsNow(relaxed) : null),
      loadKernels: async (relaxed: boolean) => {
        loaded.add(relaxed);
        return platform.loadKernels(relaxed);
      },
    },
  };
});

// where the files share a process (the webgpu project), the replacement must not outlive this file
afterAll(() => vi.doUnmock("#platform"));

const nb = await import("../packages/nabla/src/index.js");
const instance = await import("../packages/nabla/src/backend/wasm/instance.js");
const backend = await import("../packages/nabla/src/backend/backend.js");

describe("starting the kernels where their bytes are fetched (as in a browser)", () => {
  it("on the JS backend, ops need no ready()", async () => {
    // put back as found: the CPU backend with its options, and the default device (webgpu in
    // the webgpu project, whose files share a process)
    const [device, cpu, options] = [nb.getBackend(), backend.backend().name, nb.getBackendOptions()];
    nb.setBackend("js");
    expect(nb.tensor([[1, 2], [3, 4]]).matmul(nb.tensor([[1], [1]])).toArray()).toEqual([[3], [7]]);
    nb.setBackend(cpu, options);
    if (device === "webgpu") await nb.setBackend("webgpu");
  });

  it.runIf(process.env.NABLA_BACKEND === "wasm")("importing compiles nothing; an op before ready() throws, naming it; after it, ops run", async () => {
    expect(nb.getBackend()).toBe("wasm");
    expect(instance.started).toBe(false);
    expect(() => nb.zeros([2, 2])).toThrow(/^nabla: alloc ran before the wasm backend started\. In a browser, `await ready\(\)`/);
    expect(instance.started).toBe(false);
    await nb.ready();
    expect(instance.started).toBe(true);
    const a = nb.randn([64, 64]);
    expect(a.matmul(nb.eye(64)).sub(a).abs().max().item()).toBe(0);
    await nb.ready(); // a second call changes nothing
    expect(instance.started).toBe(true);
  });
});
