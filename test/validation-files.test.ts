/**
 * Files are untrusted: CSV numbers follow one documented grammar and never overflow silently,
 * column kinds and label comparison are decided by stated rules and reported; safetensors headers
 * are bounded before parsing and build no object whose prototype a file can choose; a checkpoint
 * save cleans up what interrupted saves of the same file left, and nothing else.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { data, io, nn, OptionError, tensor, zeros } from "../packages/nabla/src/index.js";
import { loadCheckpoint, saveCheckpoint, writeFileAtomic } from "../packages/nabla/src/node.js";
import { tempFileOwner } from "../packages/nabla/src/io/node.js";
import { errorOf, values } from "./helpers.js";

const { csvDataset, parseCsv, parseCsvNumber, DataFormatError } = data;

describe("CSV numbers: one grammar", () => {
  it("decimal and exponent forms are numbers; hex, binary, underscores, NaN, Infinity and padding are not", () => {
    const numbers: [string, number][] = [
      ["12", 12], ["-0.5", -0.5], ["+3", 3], [".5", 0.5], ["5.", 5], ["007", 7], ["1e-3", 0.001], ["+2E+10", 2e10], ["-0", -0], ["1e400", Infinity],
    ];
    for (const [text, value] of numbers) expect(parseCsvNumber(text), text).toBe(value);
    for (const text of ["", "0x10", "0b1", "0o7", "1_000", "NaN", "Infinity", "-Infinity", "inf", " 1", "1 ", "1e", "e5", ".", "+", "1.2.3", "1e5.5", "١٢", "1,5"]) {
      expect(parseCsvNumber(text), JSON.stringify(text)).toBeNull();
    }
  });

  it("a number beyond float32's range is an error naming line and column (features and regression targets), or clamped on request", () => {
    const feature = errorOf(() => csvDataset("a,y\n1,0\n1e39,1\n", "f.csv"));
    expect(feature).toBeInstanceOf(DataFormatError);
    expect(feature.message).toBe('f.csv at line 3: column "a": 1e39 is beyond float32\'s range (±3.4028235e38; overflow: "clamp" clamps it)');
    expect(errorOf(() => csvDataset("a,y\n1,0\n2,-1e400\n", "f.csv")).message).toMatch(/^f\.csv at line 3: column "y": -1e400 is beyond float32's range/);
    const clamped = csvDataset("a,y\n1e39,0\n-1e400,1e50\n", "f.csv", { overflow: "clamp" });
    expect(values(clamped.tensors[0])).toEqual([3.4028234663852886e38, -3.4028234663852886e38]);
    expect(values(clamped.tensors[1])).toEqual([0, 3.4028234663852886e38]);
    expect(() => csvDataset("a,y\n1,0\n", "f.csv", { overflow: "wrap" as never })).toThrow(OptionError);
  });

  it("one value outside the grammar in a column of numbers is an error naming its line and column, not a categorical column", () => {
    for (const bad of ["NaN", "Infinity", "1_000", "0x10", "abc"]) {
      const e = errorOf(() => csvDataset(`a,y\n1,0\n2,1\n${bad},0\n`, "f.csv"));
      expect(e).toBeInstanceOf(DataFormatError);
      expect(e.message).toBe(`f.csv at line 4: column "a" holds numbers, so every value must be one (declare it categorical if it is not numeric), got "${bad}"`);
    }
    expect(errorOf(() => csvDataset("a,y\n1,0\n2,1\n3,x\n", "f.csv")).message).toBe(
      'f.csv at line 4: regression target "y" holds numbers, so every value must be one (or pass task: "classification"), got "x"',
    );
  });
});

describe("CSV columns: categorical only when declared or when no value is a number, and reported", () => {
  it("a column with no number is categorical; the decision and the comparison are reported", () => {
    const ds = csvDataset("code,x,y\n0x10,1,a\n0x20,2,b\n0x10,3,a\n", "c.csv");
    expect(ds.featureNames).toEqual(["code=0x10", "code=0x20", "x"]);
    expect(ds.columns).toEqual([
      { name: "code", role: "feature", kind: "categorical", decidedBy: "inferred", comparedAs: "string" },
      { name: "x", role: "feature", kind: "numeric", decidedBy: "inferred" },
      { name: "y", role: "target", kind: "categorical", decidedBy: "inferred", comparedAs: "string" },
    ]);
    expect(ds.labelComparison).toBe("string");
    expect(ds.describe()).toBe("numeric: x; categorical: code (2 values, as strings); target y: 2 classes compared as strings");
  });

  it("a declared categorical column of numbers compares them as numbers: 1 and 1.0 are one category", () => {
    const ds = csvDataset("g,y\n1,0.5\n1.0,1.5\n10,2\n2,3\n", "c.csv", { categorical: ["g"] });
    expect(ds.categories.g).toEqual(["1", "2", "10"]);
    expect(ds.columns[0]).toEqual({ name: "g", role: "feature", kind: "categorical", decidedBy: "declared", comparedAs: "number" });
    expect(values(ds.tensors[0])).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(ds.classes).toBeNull();
    expect(ds.labelComparison).toBeNull();
  });

  it("class labels are compared as numbers when every label is one (1 and 1.0 one class), as strings otherwise", () => {
    const numeric = csvDataset("x,y\n0,1\n1,1.0\n2,2\n3,1e0\n", "l.csv", { task: "classification" });
    expect(numeric.classes).toEqual(["1", "2"]);
    expect(values(numeric.tensors[1])).toEqual([0, 0, 1, 0]);
    expect(numeric.labelComparison).toBe("number");
    expect(numeric.columns[1]).toEqual({ name: "y", role: "target", kind: "categorical", decidedBy: "declared", comparedAs: "number" });
    const strings = csvDataset("x,y\n0,1\n1,1.0\n2,a\n", "l.csv", { task: "classification" });
    expect(strings.classes).toEqual(["1", "1.0", "a"]);
    expect(strings.labelComparison).toBe("string");
    expect(errorOf(() => csvDataset("x,y\n0,1\n1,1e400\n", "l.csv", { task: "classification" })).message).toBe('l.csv at line 3: column "y": 1e400 is beyond the range of numbers');
  });

  it("contradictory declarations are option errors", () => {
    expect(() => csvDataset("a,y\n1,0\n", "f.csv", { numeric: ["a"], categorical: ["a"] })).toThrow(/csvDataset: column "a" is declared both numeric and categorical/);
    expect(() => csvDataset("a,y\n1,0\n", "f.csv", { categorical: ["y"], task: "regression" })).toThrow(/the regression target "y" is declared categorical/);
    expect(() => csvDataset("a,y\n1,0\n", "f.csv", { task: "ranking" as never })).toThrow(/task must be "classification" or "regression"/);
  });

  it("column names from the file are ordinary keys: __proto__ and constructor round-trip", () => {
    const ds = csvDataset("__proto__,constructor,y\nred,a,1\nblue,b,2\n", "p.csv");
    expect(Object.getPrototypeOf(ds.categories)).toBeNull();
    expect(Object.keys(ds.categories)).toEqual(["__proto__", "constructor"]);
    expect(ds.categories["__proto__"]).toEqual(["blue", "red"]);
    expect(ds.featureNames).toEqual(["__proto__=blue", "__proto__=red", "constructor=a", "constructor=b"]);
  });
});

describe("CSV fields: bounded work", () => {
  it("a field longer than maxFieldLength (1,000,000 by default) is refused naming the line", () => {
    const long = "9".repeat(1_000_001);
    const e = errorOf(() => parseCsv(`a,b\n1,2\n3,${long}\n`, "big.csv"));
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e.message).toBe("big.csv at line 3: field 2 is longer than 1000000 characters (the maxFieldLength option)");
    expect(errorOf(() => parseCsv(`a\n"${"x".repeat(5_000_000)}"\n`, "q.csv")).message).toBe("q.csv at line 2: field 1 is longer than 1000000 characters (the maxFieldLength option)");
    expect(() => parseCsv("a\n12345678901\n", "s.csv", { maxFieldLength: 10 })).toThrow(/line 2: field 1 is longer than 10 characters/);
    expect(parseCsv("a\n1234567890\n", "s.csv", { maxFieldLength: 10 }).rows).toEqual([["1234567890"]]);
    expect(() => parseCsv("a\n1\n", "s.csv", { maxFieldLength: 0 })).toThrow(/maxFieldLength must be a positive integer, got 0/);
  });

  it("quotes inside an unquoted field and long quoted fields are read in one pass", () => {
    // Each of these took seconds with a splitter that re-read the field at every quote.
    const quotes = 'a"'.repeat(400_000);
    expect(parseCsv(`h\n${quotes}\n`, "q.csv").rows[0]![0]!.length).toBe(800_000);
    const escaped = '""'.repeat(400_000);
    expect(parseCsv(`h\n"${escaped}"\n`, "q.csv").rows[0]![0]).toBe('"'.repeat(400_000));
    const lines = parseCsv(`h\n"${"x\n".repeat(1000)}"\n2\n`, "q.csv");
    expect(lines.lines).toEqual([2, 1003]);
  });
});

describe("safetensors: names are ordinary keys, nesting is bounded before parsing", () => {
  /** Raw safetensors bytes with this header text and data. */
  const raw = (header: string, data = new Uint8Array(0)) => {
    const json = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setUint32(0, json.length, true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  };

  it("tensors named __proto__, constructor and prototype round-trip; the state dict has no prototype", () => {
    const sd = io.parseSafetensors(raw('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"I32","shape":[],"data_offsets":[4,8]}}', new Uint8Array(8).fill(0)), "p");
    expect(Object.getPrototypeOf(sd)).toBeNull();
    expect(Object.keys(sd)).toEqual(["__proto__", "constructor"]);
    expect(sd["__proto__"]!.shape).toEqual([1]);
    const names = Object.defineProperty({ prototype: zeros([2]), constructor: tensor([1, 2]) }, "__proto__", { value: tensor([7]), enumerable: true });
    const { tensors, metadata } = io.decodeSafetensors(io.serializeSafetensors(names, JSON.parse('{"__proto__":"m"}')), "n");
    expect(Object.keys(tensors).sort()).toEqual(["__proto__", "constructor", "prototype"]);
    expect(values(tensors["__proto__"]!)).toEqual([7]);
    expect(Object.getPrototypeOf(metadata)).toBeNull();
    expect(metadata["__proto__"]).toBe("m");
  });

  it("a dtype named like an Object.prototype member is an unsupported dtype", () => {
    for (const code of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(() => io.parseSafetensors(raw(`{"x":{"dtype":"${code}","shape":[],"data_offsets":[0,0]}}`), "d")).toThrow(new RegExp(`tensor "x": unsupported dtype ${code}`));
    }
  });

  it("a header nested deeper than 64 levels is refused before JSON.parse sees it", () => {
    const deep = (n: number) => `{"__metadata__":${"[".repeat(n - 1)}${"]".repeat(n - 1)}}`;
    expect(() => io.parseSafetensors(raw(deep(64)), "d")).toThrow(/__metadata__ must be an object of strings/); // 64 levels: parsed, then refused for what it is
    const parse = vi.spyOn(JSON, "parse");
    try {
      for (const n of [65, 1_000_000]) {
        const e = errorOf(() => io.parseSafetensors(raw(deep(n)), "d"));
        expect(e).toBeInstanceOf(DataFormatError);
        expect(e.message).toBe("d at byte offset 8: the header is not valid UTF-8 JSON of at most 64 levels (JSON nested deeper than 64 levels)");
      }
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    // Brackets inside strings don't count.
    const quoted = `{"__metadata__":{"k":"${"[".repeat(100)}"}}`;
    expect(io.decodeSafetensors(raw(quoted), "q").metadata.k).toBe("[".repeat(100));
  });
});

describe("checkpoint saving removes its own stale temp files, and nothing else", () => {
  const dir = mkdtempSync(join(tmpdir(), "nabla-tmpclean-"));
  /** The pid of a process that has exited. */
  const deadPid = spawnSync(process.execPath, ["-e", ""]).pid!;

  it("the temp-name pattern matches exactly `.<name>.<pid>.<n>.tmp` for that name", () => {
    expect(tempFileOwner("last.safetensors", ".last.safetensors.123.4.tmp")).toBe(123);
    for (const other of [
      ".lastXsafetensors.123.4.tmp", ".last.safetensorsX123.4.tmp", "last.safetensors.123.4.tmp", ".last.safetensors.123.4.tmp.bak",
      ".last.safetensors.123.tmp", ".last.safetensors.abc.4.tmp", ".last.safetensors.0.4.tmp", ".last.safetensors.123.04.tmp",
      ".other.safetensors.123.4.tmp", ".last.safetensors.9999999999.4.tmp", "..last.safetensors.123.4.tmp", ".last.safetensors.123.4.tmp/x",
    ]) {
      expect(tempFileOwner("last.safetensors", other), other).toBeNull();
    }
    // Regular-expression characters in the name are literal.
    expect(tempFileOwner("a+b(1).ckpt", ".a+b(1).ckpt.5.6.tmp")).toBe(5);
    expect(tempFileOwner("a+b(1).ckpt", ".aab(1).ckpt.5.6.tmp")).toBeNull();
  });

  it("removes stale temps of this file (dead writers, or this process's finished ones), keeps everything else", async () => {
    const sub = mkdtempSync(join(dir, "c-"));
    const path = join(sub, "last.safetensors");
    const model = new nn.Linear(2, 1);
    await saveCheckpoint(path, { model, epoch: 1 });
    const stale = [`.last.safetensors.${deadPid}.3.tmp`, `.last.safetensors.${process.pid}.999999.tmp`];
    const kept = [
      `.last.safetensors.${process.ppid}.1.tmp`, // a writer still running
      `.last.safetensors.${deadPid}.3.tmp.keep`,
      `.lastXsafetensors.${deadPid}.3.tmp`,
      `.other.safetensors.${deadPid}.1.tmp`,
      `last.safetensors.${deadPid}.1.tmp`,
      `.last.safetensors.${deadPid}.0.tmp`,
      "notes.txt",
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(sub, name), "partial");
    mkdirSync(join(sub, `.last.safetensors.${deadPid}.7.tmp`)); // matches, but a directory: unlink fails, it stays
    await saveCheckpoint(path, { model, epoch: 2 });
    expect(readdirSync(sub).sort()).toEqual(["last.safetensors", `.last.safetensors.${deadPid}.7.tmp`, ...kept].sort());
    expect((await loadCheckpoint(path)).epoch).toBe(2);
  });

  it("a writer killed between write and rename leaves a temp file that the next save removes; the previous checkpoint survives both", async () => {
    const sub = mkdtempSync(join(dir, "k-"));
    const path = join(sub, "last.safetensors");
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    const dist = new URL("../packages/nabla/dist/src/node.js", import.meta.url).href;
    // A child that writes the temp file, reports it, and hangs before the rename until it is killed.
    const script = `
      import { writeFileAtomic, nodeFs } from ${JSON.stringify(dist)};
      setInterval(() => {}, 1000);
      const fs = { ...nodeFs, async writeAndSync(p, b) { await nodeFs.writeAndSync(p, b); process.stdout.write("written\\n"); await new Promise(() => {}); } };
      await writeFileAtomic(${JSON.stringify(path)}, new Uint8Array([9, 9]), { fs });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("written") && resolve());
      child.on("exit", (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    expect(readdirSync(sub).sort()).toEqual([`.last.safetensors.${child.pid}.1.tmp`, "last.safetensors"]);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, Uint8Array.from([4, 5]));
    expect(readdirSync(sub)).toEqual(["last.safetensors"]);
    expect([...readFileSync(path)]).toEqual([4, 5]);
  });
});
