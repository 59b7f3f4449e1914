/**
 * The backends a user can ask for (`--backend`), without loading TensorFlow.js: flags are checked before it loads.
 * @module
 */

/** Backends a user can ask for. */
export const BACKEND_CHOICES = ["auto", "webgpu", "wasm", "cpu"] as const;
/** A backend request. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
