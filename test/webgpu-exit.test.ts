/**
 * A program on the WebGPU device ends as a CPU program does (issue 13), even with work queued on
 * the device: an uncaught error prints its message and exits with code 1, `process.exit(3)` exits
 * with 3, a normal end with 0, never by a signal. In Node a worker owns the device
 * (src/backend/webgpu/remote-device.ts); Dawn's Node binding aborts the whole process ("Promise
 * not resolved or rejected: …", a fatal napi_throw, SIGABRT) when Node ends that worker while one
 * of its promises is pending, which an uncaught error or process.exit with kernels and a read in
 * flight used to do. Each case is a child Node process running the built library (dist/, as
 * `npm test` builds it first), on SwiftShader without a GPU; skipped, saying why, without dist/
 * or a device, and run once, in the js project.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startWebGpuDevice } from "./webgpu-device.js";

const DIST = new URL("../packages/nabla/dist/src/index.js", import.meta.url);

async function skipReason(): Promise<string> {
  if (process.env.NABLA_BACKEND !== undefined && process.env.NABLA_BACKEND !== "js") return "checked once, in the js project";
  if (!existsSync(DIST)) return "dist/ is not built (npm run build)";
  // sets VK_ICD_FILENAMES to SwiftShader's where it is installed: the children inherit it
  return startWebGpuDevice();
}

const reason = await skipReason();

/**
 * The child: starts the device (three tries: SwiftShader's adapter is now and then refused on a
 * loaded machine), queues kernels, submits some, leaves a read in flight and more kernels
 * recorded, then ends as `ending` says.
 */
const program = (ending: string): string => `
  import { setBackend, randn, matmul } from ${JSON.stringify(DIST.href)};
  for (let attempt = 1; ; attempt++) {
    try { await setBackend("webgpu"); break; } catch (e) { if (attempt === 3 || !e.message.includes("found no adapter")) throw e; }
  }
  let x = randn([64, 64]);
  for (let i = 0; i < 40; i++) x = matmul(x, x).tanh(); // 80 kernels: one batch submitted, the rest recorded
  void x.toArrayAsync(); // a read in flight (its map waits in the worker)
  for (let i = 0; i < 10; i++) x = matmul(x, x).tanh();
  process.stdout.write("queued\\n");
  ${ending}
`;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the child from a file, or with `node --input-type=module -e` (`viaEval`): Node hands its
 * flags to eval'd workers, and the library's device and pool workers are CommonJS sources that
 * `--input-type=module` made fail to load ("require is not defined") until they were left out.
 */
function run(name: string, ending: string, viaEval = false): Promise<Outcome> {
  const file = join(mkdtempSync(join(tmpdir(), "nabla-webgpu-exit-")), `${name}.mjs`);
  writeFileSync(file, program(ending));
  const args = viaEval ? ["--input-type=module", "-e", program(ending)] : [file];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What Dawn's binding prints when it aborts the process. */
const ABORT = /FATAL ERROR|napi_throw|Promise not resolved or rejected/;

describe.skipIf(reason !== "")(`the process's end with WebGPU work queued${reason ? ` (skipped: ${reason})` : ""}`, () => {
  // the three children run side by side: each spends most of its time starting the device
  const outcomes = reason === "" ? Promise.all([run("throw", 'throw new Error("boom: the user\'s own error");'), run("exit", "process.exit(3);"), run("end", ""), run("eval", "", true)]) : null;

  it("an uncaught error prints its message and exits with code 1", async () => {
    const [thrown] = (await outcomes)!;
    expect(thrown.stdout, thrown.stderr).toContain("queued");
    expect(thrown.stderr).toContain("Error: boom: the user's own error");
    expect(thrown.stderr).not.toMatch(ABORT);
    expect({ code: thrown.code, signal: thrown.signal }).toEqual({ code: 1, signal: null });
  });

  it("process.exit(3) exits with code 3", async () => {
    const [, exited] = (await outcomes)!;
    expect(exited.stdout, exited.stderr).toContain("queued");
    expect(exited.stderr).not.toMatch(ABORT);
    expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 3, signal: null });
  });

  it("a normal end exits with code 0", async () => {
    const [, , ended] = (await outcomes)!;
    expect(ended.stdout, ended.stderr).toContain("queued");
    expect(ended.stderr).not.toMatch(ABORT);
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
  });

  it("a program run with node --input-type=module -e starts the device and ends with code 0", async () => {
    const [, , , evaluated] = (await outcomes)!;
    expect(evaluated.stdout, evaluated.stderr).toContain("queued");
    expect(evaluated.stderr).not.toContain("require is not defined");
    expect({ code: evaluated.code, signal: evaluated.signal }).toEqual({ code: 0, signal: null });
  });
});
