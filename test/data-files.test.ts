/** data: IDX and CSV parsers and the Node file readers, on small files made in the test. */
import { existsSync } from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { arange, data, tensor } from "../packages/nabla/src/index.js";
import { DEBIAN_FASHION_MNIST_DIR, loadCsv, loadFashionMnist, loadIdxImages, loadMnist, readIdxFile } from "../packages/nabla/src/node.js";
import { asyncErrorOf, errorOf, values } from "./helpers.js";

const { parseIdx, serializeIdx, DataFormatError, parseCsv, csvDataset, mnistFromIdx } = data;

const dir = mkdtempSync(join(tmpdir(), "nabla-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file by hand: magic 00 00 type ndim, big-endian dims, then the payload. */
function idxBytes(type: number, dims: number[], payload: number[]): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...payload]);
}

/** 3 images of 2×2 and their labels, as MNIST-format IDX bytes. */
const imagesIdx = idxBytes(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]);
const labelsIdx = idxBytes(0x08, [3], [7, 0, 9]);

describe("IDX parsing", () => {
  it("reads unsigned bytes as int32 with the file's shape", () => {
    const t = parseIdx(imagesIdx, "images.idx");
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.dtype).toBe("int32");
    expect(values(t).slice(0, 4)).toEqual([0, 255, 51, 102]);
  });

  it("reads big-endian shorts, ints, floats and doubles, and round-trips serializeIdx", () => {
    expect(values(parseIdx(idxBytes(0x0b, [2], [0xff, 0xfe, 0x01, 0x00]), "s"))).toEqual([-2, 256]);
    expect(values(parseIdx(idxBytes(0x09, [2], [0xff, 0x7f]), "b"))).toEqual([-1, 127]);
    for (const t of [arange(6).reshape(2, 3), tensor([[1.5, -2.25]]), tensor([1e-300, -3.5], { dtype: "float64" })]) {
      const back = parseIdx(serializeIdx(t), "roundtrip");
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(values(back)).toEqual(values(t));
    }
    expect(values(parseIdx(serializeIdx(tensor([0, 200, 255], { dtype: "int32" }), { ubyte: true }), "u"))).toEqual([0, 200, 255]);
  });

  it("names the file and the byte offset of a corrupt or truncated file", () => {
    let e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(imagesIdx.subarray(0, imagesIdx.length - 5), "train-images"));
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e.message).toMatch(/^train-images at byte offset 23: truncated IDX data: shape \[3, 2, 2\] of unsigned bytes needs 12 bytes after the 16-byte header, only 7 are there/);
    expect(e.offset).toBe(23);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(imagesIdx.subarray(0, 10), "f"));
    expect(e.message).toMatch(/f at byte offset 10: truncated IDX header: 3 dimension sizes need 16 bytes/);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), "f"));
    expect(e.message).toMatch(/at byte offset 0: not an IDX file/);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]), "f"));
    expect(e.message).toMatch(/at byte offset 2: unknown IDX data type 0x42/);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(Uint8Array.from([0, 0, 8, 0]), "f"));
    expect(e.message).toMatch(/at byte offset 3: IDX file claims 0 dimensions/);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(Uint8Array.from([...labelsIdx, 1, 2]), "f"));
    expect(e.message).toMatch(/at byte offset 11: 2 unexpected trailing bytes/);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(Uint8Array.from([0, 0]), "f"));
    expect(e.message).toMatch(/truncated IDX header/);
    e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(gzipSync(imagesIdx), "f.gz"));
    expect(e.message).toMatch(/gzip-compressed; gunzip it first/);
  });

  it("never trusts a claimed size: huge dims in a tiny file are an error, not an allocation", () => {
    const e = errorOf<InstanceType<typeof DataFormatError>>(() => parseIdx(idxBytes(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], [1, 2, 3]), "huge"));
    expect(e.message).toMatch(/huge at byte offset 19: truncated IDX data: shape \[4294967295, 4294967295, 4294967295\] of doubles needs/);
  });
});

describe("MNIST-format datasets", () => {
  it("builds [N, 1, H, W] float images in [0, 1] and int32 labels from IDX bytes", () => {
    const ds = mnistFromIdx({ bytes: imagesIdx, name: "i" }, { bytes: labelsIdx, name: "l" });
    expect(ds.length).toBe(3);
    const [x, y] = ds.tensors;
    expect(x.shape).toEqual([3, 1, 2, 2]);
    expect(x.dtype).toBe("float32");
    expect(values(x).slice(0, 4)).toEqual([0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
    expect(values(y)).toEqual([7, 0, 9]);
    expect(mnistFromIdx({ bytes: imagesIdx, name: "i" }, { bytes: labelsIdx, name: "l" }, { flatten: true }).tensors[0].shape).toEqual([3, 4]);
  });

  it("rejects labels that don't match the images", () => {
    const e = errorOf<InstanceType<typeof DataFormatError>>(() => mnistFromIdx({ bytes: imagesIdx, name: "imgs" }, { bytes: idxBytes(8, [2], [1, 2]), name: "labs" }));
    expect(e.message).toMatch(/labs at byte offset 4: holds 2 labels, but imgs holds 3 images/);
  });

  it("loads a directory of plain or gzipped IDX files (readIdxFile gunzips)", async () => {
    const plain = join(dir, "plain");
    const gz = join(dir, "gz");
    for (const d of [plain, gz]) rmSync(d, { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(plain);
    mkdirSync(gz);
    for (const split of ["train", "t10k"]) {
      writeFileSync(join(plain, `${split}-images-idx3-ubyte`), imagesIdx);
      writeFileSync(join(plain, `${split}-labels-idx1-ubyte`), labelsIdx);
      writeFileSync(join(gz, `${split}-images-idx3-ubyte.gz`), gzipSync(imagesIdx));
      writeFileSync(join(gz, `${split}-labels-idx1-ubyte.gz`), gzipSync(labelsIdx));
    }
    const a = await loadMnist(plain);
    const b = await loadMnist(gz, { train: false, flatten: true });
    expect(values(a.tensors[1])).toEqual([7, 0, 9]);
    expect(values(b.tensors[0])).toEqual(values(a.tensors[0]));
    expect(b.tensors[0].shape).toEqual([3, 4]);
    expect((await readIdxFile(join(gz, "train-labels-idx1-ubyte.gz"))).shape).toEqual([3]);
    // One image file, its labels found by MNIST's naming, or given.
    const one = await loadIdxImages(join(gz, "t10k-images-idx3-ubyte.gz"));
    expect(values(one.tensors[1])).toEqual([7, 0, 9]);
    expect((await loadIdxImages(join(plain, "train-images-idx3-ubyte"), join(gz, "train-labels-idx1-ubyte.gz"))).length).toBe(3);
  });

  it("names the file for a truncated gzip stream, a truncated IDX inside gzip, and a missing file", async () => {
    const cut = join(dir, "cut.gz");
    const gzipped = gzipSync(imagesIdx);
    writeFileSync(cut, gzipped.subarray(0, gzipped.length - 12));
    expect((await asyncErrorOf(readIdxFile(cut))).message).toMatch(new RegExp(`^${cut}: corrupt or truncated gzip data`));
    const short = join(dir, "short.gz");
    writeFileSync(short, gzipSync(imagesIdx.subarray(0, 20)));
    expect((await asyncErrorOf(readIdxFile(short))).message).toMatch(new RegExp(`^${short} at byte offset 20: truncated IDX data`));
    expect((await asyncErrorOf(loadMnist(join(dir, "nowhere")))).message).toMatch(/neither .*train-images-idx3-ubyte nor .*\.gz exists/);
  });

  it("gives the embedded digits (here two stand-ins for loadDigits' result) as an image dataset", async () => {
    const digits = { images: arange(2 * 784).float().div(2 * 784).reshape(2, 784), labels: tensor([3, 8], { dtype: "int32" }) };
    const ds = await data.digitsDataset({ digits });
    expect(ds.tensors[0].shape).toEqual([2, 1, 28, 28]);
    expect(values(ds.get(1)[1])).toEqual([8]);
    expect((await data.digitsDataset({ digits, flatten: true })).tensors[0].shape).toEqual([2, 784]);
  });

  it.skipIf(!existsSync(DEBIAN_FASHION_MNIST_DIR))("reads Debian's Fashion-MNIST test split when installed", async () => {
    const ds = await loadFashionMnist({ train: false });
    expect(ds.length).toBe(10000);
    expect(ds.tensors[0].shape).toEqual([10000, 1, 28, 28]);
    const labels = values(ds.tensors[1]);
    expect(Math.min(...labels)).toBe(0);
    expect(Math.max(...labels)).toBe(9);
  });
});

describe("CSV", () => {
  const text = [
    "sepal length,colour,note,species",
    '5.1,red,"a, quoted",setosa',
    "4.9,blue,plain,setosa",
    '6.3,red,"say ""hi""",virginica',
    "",
    "5.8,green,x,versicolor",
  ].join("\r\n");

  it("splits a header and rows, with quotes, escaped quotes, CRLF and blank lines", () => {
    const table = parseCsv(text, "iris.csv");
    expect(table.columns).toEqual(["sepal length", "colour", "note", "species"]);
    expect(table.rows[0]).toEqual(["5.1", "red", "a, quoted", "setosa"]);
    expect(table.rows[2]![2]).toBe('say "hi"');
    expect(table.lines).toEqual([2, 3, 4, 6]);
  });

  it("encodes numeric columns as they are, categorical ones one-hot, and the target as class indices", () => {
    const ds = csvDataset(text, "iris.csv", { target: "species", features: ["sepal length", "colour"] });
    expect(ds.featureNames).toEqual(["sepal length", "colour=blue", "colour=green", "colour=red"]);
    expect(ds.classes).toEqual(["setosa", "versicolor", "virginica"]);
    expect(ds.categories).toEqual({ colour: ["blue", "green", "red"] });
    const [x, y] = ds.tensors;
    expect(x.shape).toEqual([4, 4]);
    expect(values(x.select(0, 0))).toEqual([Math.fround(5.1), 0, 0, 1]);
    expect(values(y)).toEqual([0, 0, 2, 1]);
    expect(ds.get(3)[1].item()).toBe(1);
  });

  it("takes the last column as target by default; a numeric target means regression", () => {
    const ds = csvDataset("a,b,y\n1,2,0.5\n3,4,1.5\n", "r.csv");
    expect(ds.classes).toBeNull();
    expect(ds.tensors[1].dtype).toBe("float32");
    expect(values(ds.tensors[1])).toEqual([0.5, 1.5]);
    const cls = csvDataset("a,y\n1,10\n2,2\n3,10\n", "c.csv", { task: "classification" });
    expect(cls.classes).toEqual(["2", "10"]);
    expect(values(cls.tensors[1])).toEqual([1, 0, 1]);
  });

  it("names the file and the line of a bad row", () => {
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => parseCsv("a,b\n1,2\n3\n", "f.csv")).message).toBe("f.csv at line 3: expected 2 fields (as in the header), found 1");
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => parseCsv('a,b\n1,"2\n3,4\n', "f.csv")).message).toMatch(/^f\.csv at line 2: unterminated quoted field/);
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => csvDataset("a,y\n1,0\n,1\n", "f.csv")).message).toBe('f.csv at line 3: column "a" is empty');
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => csvDataset("a,y\n1,0\n2,1\nx,1\n", "f.csv", { numeric: ["a"] })).message).toBe('f.csv at line 4: column "a" must be numeric, got "x"');
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => csvDataset("a,y\n1,0\n2,z\n", "f.csv", { task: "regression" })).message).toMatch(/line 3: regression target "y" must be numeric/);
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => parseCsv("", "f.csv")).message).toMatch(/empty/);
    expect(errorOf<InstanceType<typeof DataFormatError>>(() => parseCsv("a,a\n1,2\n", "f.csv")).message).toMatch(/line 1: the header names column "a" twice/);
    expect(() => csvDataset("a,y\n1,0\n", "f.csv", { target: "zz" })).toThrow(/target column "zz" is not in f\.csv \(columns: a, y\)/);
  });

  it("loads a CSV file (plain or gzipped) from disk", async () => {
    const path = join(dir, "small.csv");
    writeFileSync(path, "x1,x2,label\n0,1,yes\n1,0,no\n");
    const ds = await loadCsv(path);
    expect(ds.classes).toEqual(["no", "yes"]);
    writeFileSync(`${path}.gz`, gzipSync("x1,x2,label\n0,1,yes\n1,0,no\n"));
    expect(values((await loadCsv(`${path}.gz`)).tensors[1])).toEqual([1, 0]);
    writeFileSync(path, "x1,x2,label\n0,1,yes\n1,no\n");
    expect((await asyncErrorOf(loadCsv(path))).message).toBe(`${path} at line 3: expected 3 fields (as in the header), found 2`);
  });
});
