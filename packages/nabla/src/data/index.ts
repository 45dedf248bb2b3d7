/** `data`: datasets, the DataLoader, file parsers (bytes in, so browser-safe) and transforms. */
export { type Dataset, TensorDataset, Subset, ConcatDataset, MapDataset, randomSplit } from "./dataset.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { defaultCollate, type Collated } from "./collate.js";
export { DataFormatError, isGzip } from "./format-error.js";
export { parseIdx, readIdxHeader, serializeIdx, type IdxHeader } from "./idx.js";
export { parseCsv, parseCsvNumber, type CsvTable, type ParseCsvOptions } from "./csv.js";
export { csvDataset, CsvDataset, type CsvDatasetOptions, type CsvColumnReport } from "./csv-dataset.js";
export { mnistFromIdx, mnistFileNames, digitsDataset, FASHION_MNIST_CLASSES, type ImageDataset, type MnistOptions } from "./mnist.js";
export { loadDigits, type Digits } from "./digits.js";
export * as transforms from "./transforms.js";
