/** The built `nabla` command (dist/, made by `npm run build`, which `npm test` runs first). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const BIN = new URL("../dist/cli/nabla.js", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe.skipIf(!existsSync(BIN))("nabla command", () => {
  it("prints a usage message, not a stack trace, for a wrong option", () => {
    const result = run("train", "--bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("nabla: Unknown option '--bogus'");
    expect(result.stderr).toContain("Usage: nabla train [options]");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("names a wrong value and an unknown command", () => {
    const bad = run("train", "--activation", "swish");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--activation must be one of relu, sigmoid, tanh, leaky_relu; got "swish"');
    const unknown = run("fly");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "fly"');
  });

  it("trains for an epoch, printing the model, the loss and the held-out accuracy", () => {
    const result = run("train", "--epochs", "1", "--hidden", "32");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("(fc1): Linear(in_features=784, out_features=32, bias=True)");
    expect(result.stdout).toMatch(/epoch 1\/1 {2}loss \d\.\d{4} {2}held-out accuracy \d+\.\d\d%/);
    expect(result.stdout).toMatch(/final held-out accuracy: (8\d|9\d)\.\d\d%/);
  });
});
