/**
 * The zip container of PyTorch's `torch.save` files (PyTorch's own writer, miniz, stores every
 * record uncompressed and aligns its data to 64 bytes). Only stored entries are read: a
 * compressed one is refused by name. Nothing in the file is trusted: the end-of-central-directory
 * record is searched for only in the last 64 KiB + 22 bytes, every count, length and offset (the
 * ZIP64 ones too) is checked against the bytes before it is used, names must be unique, and each
 * entry's CRC-32 must match its data.
 */
import { DataFormatError } from "../data/format-error.js";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The entries of a zip file, by name, as views of the file's bytes (no copy). */
export type ZipEntries = Map<string, Uint8Array>;

/** Reads a zip file's stored entries. `file` names the file in errors. */
export function readZip(bytes: Uint8Array, file: string): ZipEntries {
  const fail = (reason: string, offset?: number): never => {
    throw new DataFormatError(file, reason, offset === undefined ? {} : { offset });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  /** A 64-bit length or offset; one past 2^53 is no file nabla can hold. */
  const u64 = (at: number) => {
    const hi = u32(at + 4);
    if (hi >= 0x200000) fail(`a ZIP64 value of ${hi} * 2^32 is out of range`, at);
    return hi * 2 ** 32 + u32(at);
  };
  const within = (at: number, length: number, what: string) => {
    if (!(at >= 0 && length >= 0 && at + length <= bytes.length)) fail(`${what} (${length} bytes at offset ${at}) runs past the end of the ${bytes.length}-byte file`, Math.min(at, bytes.length));
  };

  // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (u32(at) === EOCD && at + 22 + u16(at + 20) === bytes.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail(bytes.length < 22 ? `not a zip file: ${bytes.length} bytes` : "not a zip file: no end-of-central-directory record");
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== ZIP64_LOCATOR) fail("the end-of-central-directory record asks for ZIP64 but there is no ZIP64 locator", eocd);
    const at = u64(locator + 8);
    within(at, 56, "the ZIP64 end-of-central-directory record");
    if (u32(at) !== ZIP64_EOCD) fail("bad ZIP64 end-of-central-directory signature", at);
    count = u64(at + 32);
    cdSize = u64(at + 40);
    cdOffset = u64(at + 48);
  }
  within(cdOffset, cdSize, "the central directory");
  if (count * 46 > cdSize) fail(`${count} entries cannot fit in a ${cdSize}-byte central directory`, cdOffset);

  const entries: ZipEntries = new Map();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let at = cdOffset;
  const end = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end) fail(`central directory entry ${i} runs past the directory's end`, at);
    if (u32(at) !== CENTRAL) fail(`bad signature of central directory entry ${i}`, at);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let compressed = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let local = u32(at + 42);
    if (at + 46 + nameLength + extraLength + commentLength > end) fail(`central directory entry ${i} runs past the directory's end`, at);
    let name = "";
    try {
      name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    } catch {
      fail(`the name of entry ${i} is not UTF-8`, at + 46);
    }
    // ZIP64 extra field (id 1): the 64-bit values of whichever fields are 0xFFFFFFFF, in order.
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) {
      let e = at + 46 + nameLength;
      const extraEnd = e + extraLength;
      let found = false;
      while (e + 4 <= extraEnd) {
        const id = u16(e);
        const length = u16(e + 2);
        if (e + 4 + length > extraEnd) break;
        if (id === 1) {
          let f = e + 4;
          const take = () => {
            if (f + 8 > e + 4 + length) fail(`entry "${name}": ZIP64 extra field too short`, e);
            const v = u64(f);
            f += 8;
            return v;
          };
          if (size === 0xffffffff) size = take();
          if (compressed === 0xffffffff) compressed = take();
          if (local === 0xffffffff) local = take();
          found = true;
          break;
        }
        e += 4 + length;
      }
      if (!found) fail(`entry "${name}": 64-bit sizes without a ZIP64 extra field`, at);
    }
    if (method !== 0) fail(`entry "${name}" is compressed (method ${method}); nabla reads only stored entries, as torch.save writes them`, at);
    if (compressed !== size) fail(`entry "${name}" is stored but its sizes differ (${compressed} and ${size})`, at);
    if (entries.has(name)) fail(`the entry name "${name}" appears twice`, at);
    within(local, 30, `the local header of "${name}"`);
    if (u32(local) !== LOCAL) fail(`bad local header signature of "${name}"`, local);
    const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
    within(dataStart, size, `the data of "${name}"`);
    const data = bytes.subarray(dataStart, dataStart + size);
    if (crc32(data) !== crc) fail(`entry "${name}": CRC-32 mismatch (the data is corrupt)`, dataStart);
    entries.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Data of each entry starts at a multiple of this (what PyTorch's writer does, so storages can be mapped). */
const ALIGN = 64;

/**
 * Writes entries as a zip file of stored records, each record's data aligned to 64 bytes with
 * a padding extra field (id 0x4246, "FB", as PyTorch's writer). Up to 4 GiB in all (no ZIP64).
 */
export function writeZip(entries: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const encoder = new TextEncoder();
  const locals: { name: Uint8Array; data: Uint8Array; crc: number; offset: number; pad: number }[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const encoded = encoder.encode(name);
    const headerEnd = offset + 30 + encoded.length;
    // the extra field's own 4 bytes plus padding up to the next aligned offset
    let pad = (ALIGN - ((headerEnd + 4) % ALIGN)) % ALIGN;
    pad += 4;
    locals.push({ name: encoded, data, crc: crc32(data), offset, pad });
    offset = headerEnd + pad + data.length;
  }
  const cdOffset = offset;
  const cdSize = locals.reduce((s, l) => s + 46 + l.name.length, 0);
  const total = cdOffset + cdSize + 22;
  if (total > 0xffffffff) throw new RangeError(`writeZip: ${total} bytes is past the 4 GiB a zip without ZIP64 can hold`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (const l of locals) {
    let at = l.offset;
    view.setUint32(at, LOCAL, true);
    view.setUint16(at + 4, 20, true); // version needed
    view.setUint16(at + 8, 0, true); // stored
    view.setUint32(at + 14, l.crc, true);
    view.setUint32(at + 18, l.data.length, true);
    view.setUint32(at + 22, l.data.length, true);
    view.setUint16(at + 26, l.name.length, true);
    view.setUint16(at + 28, l.pad, true);
    out.set(l.name, at + 30);
    at += 30 + l.name.length;
    view.setUint16(at, 0x4246, true);
    view.setUint16(at + 2, l.pad - 4, true);
    out.set(l.data, at + l.pad);
  }
  let at = cdOffset;
  for (const l of locals) {
    view.setUint32(at, CENTRAL, true);
    view.setUint16(at + 4, 20, true); // version made by
    view.setUint16(at + 6, 20, true); // version needed
    view.setUint32(at + 16, l.crc, true);
    view.setUint32(at + 20, l.data.length, true);
    view.setUint32(at + 24, l.data.length, true);
    view.setUint16(at + 28, l.name.length, true);
    view.setUint32(at + 42, l.offset, true);
    out.set(l.name, at + 46);
    at += 46 + l.name.length;
  }
  view.setUint32(at, EOCD, true);
  view.setUint16(at + 8, locals.length, true);
  view.setUint16(at + 10, locals.length, true);
  view.setUint32(at + 12, cdSize, true);
  view.setUint32(at + 16, cdOffset, true);
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (the zip polynomial 0xEDB88320, reflected). */
export function crc32(data: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
