/**
 * The in-memory dataset shape shared by every loader.
 * @module
 */

/** One split of a dataset: `n` images of `height × width` pixels in [0, 1], row-major, and integer labels. */
export interface Split {
  /** Pixels, `n × height × width`, row-major per image, scaled to [0, 1]. */
  images: Float32Array;
  /** Class labels in `[0, classes)`. */
  labels: Uint8Array;
  /** Number of samples. */
  n: number;
}

/** A classification dataset with a train and a test split. */
export interface Dataset {
  /** Short name, e.g. `"mnist"`, `"fashion-mnist"` or the folder of a user dataset. */
  name: string;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Number of classes (labels are `0..classes-1`). */
  classes: number;
  /** The training split. */
  train: Split;
  /** The test split. */
  test: Split;
}
