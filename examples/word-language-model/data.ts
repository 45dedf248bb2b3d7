/**
 * pytorch/examples `word_language_model/data.py`: a Dictionary of words and a Corpus of train,
 * valid and test token ids (each line split on white space, with an `<eos>` token at its end).
 * The original reads three files of WikiText-2; this reads one text and gives its first 80% of
 * lines to train, the next 10% to valid and the rest to test (GPL-3's text by default, which
 * every Debian system has under /usr/share/common-licenses, installed by the essential base-files).
 */
import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "nabla";

export const DEBIAN_TEXT = "/usr/share/common-licenses/GPL-3";

export class Dictionary {
  word2idx = new Map<string, number>();
  idx2word: string[] = [];

  addWord(word: string): number {
    if (!this.word2idx.has(word)) {
      this.idx2word.push(word);
      this.word2idx.set(word, this.idx2word.length - 1);
    }
    return this.word2idx.get(word)!;
  }

  get length(): number {
    return this.idx2word.length;
  }
}

/** The text's lines (as Python iterates a file: a final newline ends the last line, it does not start another). */
export function textLines(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

/** Words as Python's str.split() finds them. */
const words = (line: string) => line.split(/\s+/).filter((w) => w !== "");

export class Corpus {
  dictionary = new Dictionary();
  train: Tensor;
  valid: Tensor;
  test: Tensor;

  constructor(path: string) {
    const lines = textLines(path);
    const [a, b] = [Math.floor(0.8 * lines.length), Math.floor(0.9 * lines.length)];
    this.train = this.tokenize(lines.slice(0, a));
    this.valid = this.tokenize(lines.slice(a, b));
    this.test = this.tokenize(lines.slice(b));
  }

  /** Tokenizes lines of text: adds their words to the dictionary, returns their ids (int32). */
  tokenize(lines: readonly string[]): Tensor {
    for (const line of lines) for (const word of [...words(line), "<eos>"]) this.dictionary.addWord(word);
    const ids: number[] = [];
    for (const line of lines) for (const word of [...words(line), "<eos>"]) ids.push(this.dictionary.word2idx.get(word)!);
    return tensor(Int32Array.from(ids));
  }
}
