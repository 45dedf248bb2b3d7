// Compiles the AssemblyScript kernels and embeds each .wasm as base64 in a generated TS module,
// so the backend loads in Node and in browsers without touching the file system. One module per
// build: Node imports both statically, a browser page fetches only the one it runs (bundlers
// make it a chunk of its own, src/backend/wasm/platform-browser.ts).
// Run by `npm run build:wasm` (part of `npm run build`, `npm install` and `npm test`).
//
// Two builds of the same sources: the baseline (SIMD + threads) and one that also uses relaxed
// SIMD, whose fused multiply-add the matmul micro-kernel is built on (`madd` in matmul.ts).
// The backend loads the relaxed build where the engine validates it, the baseline elsewhere.
//
// First the pointwise kernels are generated from the ops' declared expressions: the modules of
// src/ops/pointwise that describe them (the IR, the primitives, the plans and the declarations,
// which import nothing else from the library) are transpiled to build/pointwise/ and evaluated,
// and codegen.mjs writes assembly/pointwise.generated.ts and the table of kernel codes the
// backend looks them up in (src/backend/wasm/pointwise-keys.generated.ts).
import asc from "assemblyscript/asc";
import ts from "typescript";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generatePointwise } from "./codegen.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "src", "backend", "wasm");

/** Transpiles src/ops/pointwise (without call.ts, which needs the whole library) and imports it. */
async function loadPointwise() {
  const source = join(root, "src", "ops", "pointwise");
  const target = join(root, "build", "pointwise");
  rmSync(target, { recursive: true, force: true });
  const files = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith(".ts") && entry.name !== "call.ts") files.push(path);
    }
  };
  visit(source);
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    const out = join(target, relative(source, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  const load = (name) => import(pathToFileURL(join(target, name)).href);
  const [declarations, plan, expr] = await Promise.all([load("declarations/index.js"), load("plan.js"), load("expr.js")]);
  return { ...declarations, ...plan, ...expr };
}

const pointwise = generatePointwise(await loadPointwise());
writeFileSync(join(root, "assembly", "pointwise.generated.ts"), pointwise.assembly);
writeFileSync(join(root, "src", "backend", "wasm", "pointwise-keys.generated.ts"), pointwise.table);
console.log(`build:wasm: ${pointwise.count} pointwise kernels generated`);

async function compile(name, features) {
  const wasmPath = join(root, "build", `${name}.wasm`);
  // 65536 pages = 4 GiB of address space; a shared memory never moves, so views into it stay
  // valid as it grows. The JS allocator starts at 64 KiB, above the module's static data.
  const { error, stderr } = await asc.main([
    "assembly/index.ts",
    "-O3",
    "--noAssert",
    "--runtime", "stub",
    "--use", "abort=",
    ...features.flatMap((feature) => ["--enable", feature]),
    "--importMemory",
    "--sharedMemory",
    "--initialMemory", "1",
    "--maximumMemory", "65536",
    "--outFile", wasmPath,
    // the compiler's own description of the exports (build/<name>.d.ts): the TS types of the kernels
    "--bindings", "raw",
    // NABLA_WASM_NAMES=1: keep the name section, so that profiles (node --cpu-prof) name the
    // kernels instead of listing wasm-function[N]; the code is the same -O3 build otherwise
    ...(process.env.NABLA_WASM_NAMES === "1" ? ["--debug"] : []),
  ], { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    console.error(stderr.toString());
    process.exit(1);
  }
  return readFileSync(wasmPath);
}

/**
 * The `Kernels` interface, from the declaration file the compiler wrote for the module's exports:
 * each exported function with its parameters (pointers and sizes are numbers), so the TypeScript
 * side can never call a kernel with the wrong arguments.
 */
function kernelsInterface(name) {
  const dts = readFileSync(join(root, "build", `${name}.d.ts`), "utf8");
  const functions = [...dts.matchAll(/^  export function (\w+)\(([^)]*)\): (\w+);$/gm)].map(([, fn, params, result]) => `  ${fn}(${params}): ${result};`);
  if (functions.length === 0) throw new Error(`build:wasm: no exports found in build/${name}.d.ts`);
  return `/** The kernel module's exports (assembly/index.ts), as the AssemblyScript compiler declares them. */\nexport interface Kernels {\n${functions.join("\n")}\n}\n`;
}

const baseline = await compile("kernels", ["simd", "threads"]);
const relaxed = await compile("kernels-relaxed", ["simd", "threads", "relaxed-simd"]);
mkdirSync(outDir, { recursive: true });
// ASCII only: one non-ASCII character makes V8 hold a module's whole source as UTF-16, which
// doubles what the two base64 builds' sources keep on the JS heap (1.15 MB each instead of 0.58)
const header = `// Generated by assembly/build.mjs from assembly/*.ts - do not edit.\n`;
writeFileSync(join(outDir, "kernels.generated.ts"), header + kernelsInterface("kernels"));
for (const [file, bytes, what] of [
  ["kernels-baseline.generated.ts", baseline, "The baseline build (SIMD + threads)"],
  ["kernels-relaxed.generated.ts", relaxed, "The build with relaxed SIMD"],
]) {
  // typed as string, so the declaration file does not repeat the literal
  const text = `/** ${what}, base64. */\nexport const KERNELS_BASE64: string =\n  "${bytes.toString("base64")}";\n`;
  writeFileSync(join(outDir, file), header + text);
}
console.log(`build:wasm: ${baseline.length} + ${relaxed.length} bytes -> src/backend/wasm/kernels-{baseline,relaxed}.generated.ts`);
