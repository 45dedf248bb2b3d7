// Runs every case (or those named) for one library in this process and prints the results as
// JSON on the last line. run.mjs starts one of these per library and case, one after another,
// so that cases never share a heap and libraries never compete for the cores.
const [lib, only] = process.argv.slice(2);

async function load(which) {
  switch (which) {
    case "nabla": return import("./nabla.mjs");
    case "tfjs-cpu": return (await import("./tfjs.mjs")).make("cpu");
    case "tfjs-wasm": return (await import("./tfjs.mjs")).make("wasm");
    case "jax": return import("./jax.mjs");
  }
  throw new Error(`unknown library ${which}`);
}

const mod = await load(lib);
const ids = only ? only.split(",") : Object.keys(mod.cases);
const results = {};
for (const id of ids) {
  const run = mod.cases[id];
  if (!run) {
    results[id] = { error: "no such case" };
    continue;
  }
  try {
    const r = await run();
    results[id] = typeof r === "number" ? { value: r } : r;
  } catch (e) {
    results[id] = { error: String(e?.message ?? e).split("\n")[0].slice(0, 120) };
  }
  process.stderr.write(`  ${lib} ${id}: ${JSON.stringify(results[id])}\n`);
}
console.log(JSON.stringify({ describe: mod.describe(), results }));
