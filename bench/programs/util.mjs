// Shared by the nabla side of bench/programs/*.mjs: flags as `--name value`, medians, the result line.

/** `--name value` flags over defaults (numbers only). */
export function flags(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(name in out)) throw new Error(`unknown flag ${argv[i]} (known: ${Object.keys(out).join(", ")})`);
    out[name] = Number(argv[i + 1]);
  }
  return out;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The line bench/programs.mjs reads: `BENCH {json}`, as the PyTorch twins print it. */
export function report(result) {
  console.log(`BENCH ${JSON.stringify(result)}`);
}
