// The bench's nabla side (bench/programs.mjs): runs a script as `node SCRIPT ARGS…` would, after
// setNumThreads(N), N from NABLA_BENCH_THREADS (default 2), so that the examples run at the bench's
// thread count without a flag of their own. The examples run their main only when they are
// process.argv[1], so the script takes that place before it is imported.
//   node bench/programs/nabla-run.mjs dist/examples/mnist.js --epochs 1
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { setNumThreads } from "nabla";

setNumThreads(Number(process.env.NABLA_BENCH_THREADS ?? 2));
const script = resolve(process.argv[2]);
process.argv.splice(1, 2, script);
await import(pathToFileURL(script).href);
