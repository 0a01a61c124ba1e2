/**
 * Internal barrel for the engine: the network functions and layer helpers.
 * @module
 */
export * from "./network.ts";
export { linT, rowDot } from "./layers.ts";
