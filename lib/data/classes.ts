/**
 * The class count of a labelled dataset, and the checks that keep a stray label from silently changing the
 * model: the classes are the labels present in training, which must be 0..C−1; a test label outside them is an
 * error naming the file and index — unless the class count is given explicitly, when every label must be below
 * it. A dataset with a single class is an error. Browser-safe.
 * @module
 */
import { DataError } from "../errors.ts";

/** Labels and the file (or source) they came from, for error messages. */
export interface LabelSource {
  /** The labels, in sample order. */
  labels: ArrayLike<number>;
  /** Where they came from, as error messages name it. */
  file: string;
  /** Where label `i` is in the file, for messages (default `index i`; a table says its row and line). */
  position?: (i: number) => string;
}

function at(src: LabelSource, i: number): string {
  return src.position ? src.position(i) : `index ${i}`;
}

/**
 * The number of classes of a dataset.
 *
 * @param train the training labels
 * @param test the test labels
 * @param explicit a class count given by the user (`--classes`); null or absent: from the training labels
 * @throws {DataError} naming the file and index of the first label that does not fit, or when fewer than 2
 *   classes occur in training
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classCount } from "kstar";
 * const file = "train-labels-idx1-ubyte";
 * assert.equal(classCount({ labels: [0, 1, 2, 1], file }, { labels: [2, 0], file: "t10k" }), 3);
 * assert.throws(() => classCount({ labels: [0, 1, 255], file }, { labels: [], file: "t10k" }), /label 255 at index 2/);
 * assert.throws(() => classCount({ labels: [0, 1], file }, { labels: [5], file: "t10k" }), /t10k: label 5 at index 0/);
 * assert.equal(classCount({ labels: [0, 1], file }, { labels: [5], file: "t10k" }, 6), 6);
 * assert.throws(() => classCount({ labels: [3, 3], file }, { labels: [], file: "t10k" }), /at least 2 classes/);
 * ```
 */
export function classCount(train: LabelSource, test: LabelSource, explicit?: number | null): number {
  if (explicit !== null && explicit !== undefined) {
    for (const src of [train, test]) {
      for (let i = 0; i < src.labels.length; i++) {
        if (src.labels[i] >= explicit) {
          throw new DataError(
            src.file,
            `label ${src.labels[i]} at ${
              at(src, i)
            } is not below the ${explicit} classes given (--classes ${explicit})`,
          );
        }
      }
    }
    return explicit;
  }
  const seen = new Set<number>();
  for (let i = 0; i < train.labels.length; i++) seen.add(train.labels[i]);
  if (seen.size < 2) {
    throw new DataError(
      train.file,
      `a classifier needs at least 2 classes, but every training label is ${[...seen][0] ?? "missing"}`,
    );
  }
  const C = seen.size;
  for (let i = 0; i < train.labels.length; i++) {
    if (train.labels[i] >= C) {
      throw new DataError(
        train.file,
        `label ${train.labels[i]} at ${at(train, i)}: the ${C} distinct training labels are not 0..${
          C - 1
        } ` +
          `(some labels in between never occur); fix the label, or give the class count with --classes`,
      );
    }
  }
  for (let i = 0; i < test.labels.length; i++) {
    if (!seen.has(test.labels[i])) {
      throw new DataError(
        test.file,
        `label ${test.labels[i]} at ${at(test, i)} never occurs in training (classes 0..${C - 1}); ` +
          `give the class count with --classes to allow it`,
      );
    }
  }
  return C;
}
