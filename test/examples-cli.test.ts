/** The examples' command lines (examples/common/cli.ts) and their replay streams (examples/common/replay.ts). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEVICE_FLAG, parseFlags, startDevice } from "../examples/common/cli.js";
import { Replay, ReplayStream } from "../examples/common/replay.js";

const spec = {
  batchSize: { default: 64, help: "batch" },
  imageSize: { default: 64, help: "size", flag: "imageSize" },
  dryRun: { default: false, help: "dry" },
  decayLr: { default: true, help: "decay", flag: "decay_lr" },
  data: { default: "a.txt", help: "file" },
};

describe("--device", () => {
  it("takes cpu (the default) or webgpu, and names the flag for anything else", async () => {
    expect(parseFlags([], "", DEVICE_FLAG)).toEqual({ device: "cpu" });
    expect(parseFlags(["--device", "webgpu"], "", DEVICE_FLAG)).toEqual({ device: "webgpu" });
    await expect(startDevice("cpu")).resolves.toBe("cpu");
    await expect(startDevice("cuda")).rejects.toThrow('--device: expected cpu or webgpu, got "cuda"');
  });
});

describe("parseFlags", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("types flags from their defaults, with kebab-case or the original's spelling", () => {
    expect(parseFlags([], "", spec)).toEqual({ batchSize: 64, imageSize: 64, dryRun: false, decayLr: true, data: "a.txt" });
    expect(parseFlags(["--batch-size", "8", "--imageSize=32", "--dry-run", "--decay_lr=False", "--data", ""], "", spec)).toEqual({
      batchSize: 8,
      imageSize: 32,
      dryRun: true,
      decayLr: false,
      data: "",
    });
  });

  it("prints what is wrong with a flag, sets exit status 2 and returns null", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(parseFlags(["--batch-size", "eight"], "", spec)).toBeNull();
    expect(error.mock.calls[0]![0]).toContain('--batch-size: expected a number, got "eight"');
    expect(parseFlags(["--decay_lr=maybe"], "", spec)).toBeNull();
    expect(error.mock.calls[1]![0]).toContain('--decay_lr: expected true or false, got "maybe"');
    expect(parseFlags(["--bogus"], "", spec)).toBeNull();
    expect(error.mock.calls[2]![0]).toContain("--bogus");
    expect(process.exitCode).toBe(2);
  });

  it("prints the flags for --help", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(parseFlags(["--help"], "what it does", spec)).toBeNull();
    expect(log.mock.calls.map((c) => c[0])).toEqual(["what it does", "  --batch-size (default 64)  batch", "  --imageSize (default 64)  size", "  --dry-run  dry", "  --decay_lr (default true)  decay", "  --data (default a.txt)  file"]);
  });
});

describe("replay streams", () => {
  it("draw float32-exact uniforms, reproducibly, one stream per purpose", () => {
    const u = new ReplayStream(7).uniform(1000);
    expect(Array.from(u)).toEqual(Array.from(new ReplayStream(7).uniform(1000)));
    for (const v of u) expect(v >= 0 && v < 1 && Number.isInteger(v * 2 ** 24)).toBe(true);
    expect(new ReplayStream(8).uniform(1)[0]).not.toBe(u[0]);
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it("shuffle every index exactly once, and leave out the purposes not replayed", () => {
    const order = new ReplayStream(1).permutation(50);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const replay = new Replay(3, ["sample"]);
    expect([replay.dropout, replay.noise, replay.reset]).toEqual([null, null, null]);
    expect(replay.sample).toBeInstanceOf(ReplayStream);
  });
});
