/**
 * The kernel pool starts its workers whatever flags Node was started with. Workers inherit the
 * process's flags; naming V8 flags (--expose-gc, --experimental-wasm-relaxed-simd, --cpu-prof-dir…)
 * in a Worker's execArgv makes its constructor throw, which used to leave such a process on one
 * thread without a word (`node --experimental-wasm-relaxed-simd bench/programs/lenet-step.mjs
 * --threads 2` timed one thread). Each case is a child Node process running the built library
 * (dist/, as `npm test` builds it first); skipped, saying why, without dist/; run in the wasm
 * project only.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const DIST = new URL("../packages/nabla/dist/node/index.js", import.meta.url);

const reason =
  process.env.NABLA_BACKEND !== "wasm" ? "checked in the wasm project" : !existsSync(DIST) ? "dist/ is not built (npm run build)" : "";

/** Shares a matmul (past the pool's threshold) at two threads and prints the threads in use. */
const program = `
  import { randn, setNumThreads, getNumThreads } from ${JSON.stringify(DIST.href)};
  setNumThreads(2);
  const a = randn([256, 256]);
  a.matmul(a).sum().item();
  process.stdout.write(JSON.stringify({ threads: getNumThreads() }));
`;

/**
 * The threads a child run as `node FLAGS --input-type=module -e PROGRAM` used (the workers inherit
 * --input-type=module too, which their CommonJS-or-module sources must survive).
 */
function threadsUnder(flags: string[]): number {
  // NABLA_BACKEND and the like as the wasm project sets them; the flags are the case
  const r = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", program], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`node ${flags.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as { threads: number }).threads;
}

describe.skipIf(reason !== "")(`kernel workers under Node's flags${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("with no flags a matmul runs on two threads", () => {
    expect(threadsUnder([])).toBe(2);
  });

  it("with V8 flags on the command line (--expose-gc, --stack-trace-limit) the workers still start", () => {
    expect(threadsUnder(["--expose-gc", "--stack-trace-limit=20"])).toBe(2);
  });
});
