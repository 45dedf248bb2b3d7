/** Progress for `nabla train`: a bar per epoch (cli-progress) and a summary line after it. */
import cliProgress from "cli-progress";
import { memory, type train } from "nabla";

export interface EpochLine {
  epochs: number;
  testName: string;
  classification: boolean;
}

const percent = (x: number | undefined) => (x === undefined ? "–" : `${(100 * x).toFixed(2)}%`);
const fixed = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(4));

/**
 * `epoch 3/15  loss 0.2012  accuracy 94.10%  held-out loss 0.1890  held-out accuracy 95.20%  lr 0.0021  (2.4 s, peak 41.3 MiB)`;
 * the peak is the most the library's heap held during the epoch, when given.
 */
export function formatEpoch(log: train.EpochLog, { epochs, testName, classification }: EpochLine, peakBytes?: number): string {
  const parts = [`epoch ${log.epoch}/${epochs}`, `loss ${fixed(log.loss)}`];
  if (classification) parts.push(`accuracy ${percent(log.metrics.accuracy)}`);
  else parts.push(`mae ${fixed(log.metrics.mae)}`);
  parts.push(`${testName} loss ${fixed(log.valLoss)}`);
  if (classification) parts.push(`${testName} accuracy ${percent(log.valMetrics.accuracy)}`);
  else parts.push(`${testName} mae ${fixed(log.valMetrics.mae)}`);
  const peak = peakBytes === undefined || peakBytes === 0 ? "" : `, peak ${(peakBytes / 1024 / 1024).toFixed(1)} MiB`;
  parts.push(`lr ${log.lr.toPrecision(3)}`, `(${log.seconds.toFixed(1)} s${peak})`);
  return parts.join("  ");
}

/** A fit callback drawing one progress bar per epoch on a terminal, and printing each epoch's line. */
export class ProgressBars implements train.Callback {
  private bar: cliProgress.SingleBar | null = null;

  constructor(
    private readonly line: EpochLine,
    private readonly log: (text: string) => void,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  onEpochStart(ctx: train.FitContext, epoch: number): void {
    memory.resetPeak();
    this.bar = new cliProgress.SingleBar(
      {
        format: `epoch ${epoch}/${this.line.epochs} [{bar}] {value}/{total} batches | loss {loss} | {duration}s`,
        hideCursor: true,
        clearOnComplete: true,
        stream: this.stream,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(ctx.batchesPerEpoch ?? 0, 0, { loss: "…" });
  }

  onBatchEnd(_ctx: train.FitContext, { batch, loss }: train.BatchEnd): void {
    this.bar?.update(batch, { loss: loss.toFixed(4) });
  }

  onEpochEnd(_ctx: train.FitContext, log: train.EpochLog): void {
    this.stop();
    this.log(formatEpoch(log, this.line, memory.stats().peak));
  }

  onTrainEnd(): void {
    this.stop();
  }

  private stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
