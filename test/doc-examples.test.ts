/**
 * The examples in the doc comments (what `npm run docs` renders into the API reference) compile:
 * every ```ts block in a doc comment under src/ is type-checked against the library's source, as
 * a user's module importing "nabla" and "nabla/node" would be.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface DocExample {
  /** Where it is: file and the declaration the comment documents. */
  where: string;
  /** The first line of code after the comment: what the comment documents. */
  documents: string;
  code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".generated.ts") ? [path] : [];
  });
}

/** The ```ts blocks of the doc comments in a file's text. */
function docExamples(text: string, file: string): DocExample[] {
  const examples: DocExample[] = [];
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*([^\n]*)/g)) {
    const lines = comment[1]!.split("\n").map((line) => line.replace(/^\s*\* ?/, ""));
    const body = lines.join("\n");
    for (const block of body.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const line = text.slice(0, comment.index).split("\n").length;
      examples.push({ where: `${file}:${line}`, documents: comment[2]!.trim(), code: block[1]! });
    }
  }
  return examples;
}

/** Type errors of each snippet, checked as ES modules in test/ with "nabla" mapped to src/. */
function typeErrors(snippets: string[]): string[][] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    // an example may show a value without using it
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: ROOT,
    paths: { nabla: ["./packages/nabla/src/index.ts"], "nabla/node": ["./packages/nabla/src/node.ts"] },
  };
  const names = snippets.map((_, i) => join(ROOT, "test", `doc-example-${i}.mts`));
  const virtual = new Map(names.map((name, i) => [name, snippets[i]!]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = virtual.get(name);
    return text === undefined ? getSourceFile.call(host, name, language, ...rest) : ts.createSourceFile(name, text, language, true);
  };
  const program = ts.createProgram(names, options, host);
  return names.map((name) => {
    const file = program.getSourceFile(name)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const { line } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1 };
      return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
  });
}

const examples = sourceFiles(join(ROOT, "packages", "nabla", "src")).flatMap((path) => docExamples(readFileSync(path, "utf8"), relative(ROOT, path)));

// type-checking does not depend on the backend: once, in the js project
describe.skipIf(process.env.NABLA_BACKEND !== "js")("the API reference's examples", () => {
  it("document the entry points and every namespace", () => {
    const documented = examples.map((e) => e.documents);
    for (const ns of ["nn", "optim", "data", "io", "train", "memory"]) expect(documented).toContain(`export * as ${ns} from "./${ns}/index.js";`);
    expect(documented.some((d) => d.startsWith("export const F:"))).toBe(true);
    expect(examples.some((e) => e.where.startsWith("packages/nabla/src/node.ts"))).toBe(true);
  });

  // one program for all (parsing the library is most of the time): the examples, then three checks of the check
  const controls = [
    'import { nn } from "nabla";\nnew nn.Linear(2, 3);\n',
    'import { optim, nn } from "nabla";\nnew optim.Adam(new nn.Linear(2, 3).parameters(), { learningRate: 1 });\n',
    'import { notAThing } from "nabla";\n',
  ];
  let errors: string[][] | undefined;
  const check = () => (errors ??= typeErrors([...examples.map((e) => e.code), ...controls]));

  it("type-check against the library", () => {
    const failures = examples.flatMap((e, i) => (check()[i]!.length > 0 ? [`${e.where} (${e.documents}):\n  ${check()[i]!.join("\n  ")}`] : []));
    expect(failures, failures.join("\n\n")).toEqual([]);
  });

  it("would report an example that does not compile", () => {
    const [good, wrongOption, wrongImport] = check().slice(examples.length);
    expect(good).toEqual([]);
    expect(wrongOption!.join()).toMatch(/learningRate/);
    expect(wrongImport!.join()).toMatch(/notAThing/);
  });
});
