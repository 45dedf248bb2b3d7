/**
 * The error for a file that is corrupt, truncated or not what it claims to be. It names the file
 * and where the problem is: a byte offset for binary formats, a line for text ones.
 */
export class DataFormatError extends Error {
  override name = "DataFormatError";

  constructor(
    /** The file (or URL, or name given to the parser). */
    readonly file: string,
    /** What is wrong, without the location. */
    readonly reason: string,
    readonly location: { offset?: number; line?: number } = {},
  ) {
    const where = location.offset !== undefined ? ` at byte offset ${location.offset}` : location.line !== undefined ? ` at line ${location.line}` : "";
    super(`${file}${where}: ${reason}`);
  }

  get offset(): number | undefined {
    return this.location.offset;
  }

  get line(): number | undefined {
    return this.location.line;
  }
}

/** Whether the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
