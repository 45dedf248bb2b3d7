// Kernels per time step of a recurrent training step on the webgpu device: the word language
// model's step (examples/word-language-model.ts: Embedding → dropout → 2-layer LSTM with dropout
// between layers → dropout → Linear → log-softmax → NLL, backward, clipGradNorm_ 0.25, p -= lr·grad)
// and the same step with a 2-layer GRU. Each is run at two sequence lengths (bptt) and the kernel
// count's growth divided by the steps added: the kernels one time step costs, forward and backward,
// both layers. Also the step's wall and process CPU time (medians of 5) — on SwiftShader, a CPU
// emulation of a GPU running in this process, only a sanity number, not a GPU's speed.
//   npx tsc -p packages/nabla/tsconfig.json   # the library's dist (this script imports it)
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/webgpu-rnn-kernels.mjs
// NABLA_DIST=path: another build of the library's dist (an A/B against another commit)
const dist = process.env.NABLA_DIST ?? new URL("../packages/nabla/dist", import.meta.url).pathname;
const { F, manualSeed, nn, randint, ready, setBackend } = await import(`${dist}/src/index.js`);
const { startedWebGpu } = await import(`${dist}/src/backend/device.js`);

await ready("webgpu");
setBackend("js"); // the CPU side is idle here; js keeps the process small
const context = startedWebGpu();
const [ntoken, emsize, nhid, batch] = [50, 32, 32, 4];

function model(kind) {
  manualSeed(1);
  const rnn = kind === "LSTM" ? new nn.LSTM(emsize, nhid, { numLayers: 2, dropout: 0.2 }) : new nn.GRU(emsize, nhid, { numLayers: 2, dropout: 0.2 });
  const parts = { encoder: new nn.Embedding(ntoken, emsize), rnn, decoder: new nn.Linear(nhid, ntoken), drop: new nn.Dropout({ p: 0.2 }) };
  for (const m of Object.values(parts)) m.to("webgpu");
  parts.params = [parts.encoder, rnn, parts.decoder].flatMap((m) => m.parameters());
  return parts;
}

/** One training step at bptt T: kernels, workgroups and wall ms (the loss read closes it). */
async function step(m, T) {
  const data = randint(0, ntoken, [T, batch], { dtype: "int32" }).to("webgpu");
  const targets = randint(0, ntoken, [T * batch], { dtype: "int32" }).to("webgpu");
  const zero = (n) => m.params[0].newZeros([2, batch, nhid]);
  const hidden = m.rnn instanceof nn.LSTM ? [zero(), zero()] : zero();
  const before = { ...context.dispatched };
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  for (const p of m.params) p.grad = null;
  const emb = m.drop.call(m.encoder.call(data));
  const [out] = m.rnn.call(emb, hidden);
  const decoded = m.decoder.call(m.drop.call(out)).view(-1, ntoken);
  const loss = F.nllLoss(F.logSoftmax(decoded, 1), targets);
  loss.backward();
  nn.utils.clipGradNorm_(m.params, 0.25);
  for (const p of m.params) p.data.add_(p.grad, { alpha: -20 });
  await loss.itemAsync();
  return { kernels: context.dispatched.kernels - before.kernels, workgroups: context.dispatched.workgroups - before.workgroups, ms: performance.now() - start, cpuMs: cpuMs(process.cpuUsage(cpu)) };
}

const cpuMs = ({ user, system }) => (user + system) / 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const [short, long] = [4, 12];
for (const kind of ["LSTM", "GRU"]) {
  const m = model(kind);
  await step(m, short); // shaders compiled, pool warm
  const a = await step(m, short);
  const b = await step(m, long);
  const [times, cpuTimes] = [[], []];
  for (let i = 0; i < 5; i++) {
    const r = await step(m, long);
    times.push(r.ms);
    cpuTimes.push(r.cpuMs);
  }
  const perStep = (b.kernels - a.kernels) / (long - short);
  console.log(`${kind} 2 layers (emsize ${emsize}, nhid ${nhid}, batch ${batch}): kernels bptt ${short} ${a.kernels}, bptt ${long} ${b.kernels}: ${perStep} per time step; workgroups per kernel ${(b.workgroups / b.kernels).toFixed(2)}; step at bptt ${long}: ${median(times).toFixed(0)} ms wall, ${median(cpuTimes).toFixed(0)} ms CPU (medians of 5, SwiftShader)`);
}
startedWebGpu().destroy();
process.exit(0);
