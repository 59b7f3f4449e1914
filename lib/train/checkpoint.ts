/**
 * Checkpoints: everything a run needs to continue exactly where it was —
 * both networks' weights (BatchNorm statistics included), both optimisers'
 * state (Adam moments and step count), the random generator, the data order,
 * the step counter and the byte length of `metrics.jsonl` at that moment.
 *
 * One file, `checkpoint.bin`: an 8-byte header length, a JSON header, the
 * tensor bytes, then the sha256 of everything before it (32 bytes), so a
 * changed header is caught as surely as a changed weight. Files of version 1
 * (no trailer; the header's `sha256` covers the tensor bytes only) are still
 * read. Written atomically; the previous checkpoint is kept as
 * `checkpoint.prev.bin`, and read when the newest is unusable.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import { writeFileAtomic } from "../atomic_write.ts";
import { sha256Hex } from "../sha256.ts";

/** The non-tensor part of a checkpoint (JSON-serialisable). */
export interface LoopState {
  step: number;
  seconds: number;
  metricsBytes: number;
  [key: string]: unknown;
}

interface Header {
  /** 2: the file ends with the sha256 of the rest; 1: `sha256` is that of the tensor bytes. */
  version: 1 | 2;
  state: LoopState;
  tensors: {
    group: string;
    name: string;
    shape: number[];
    dtype: "float32" | "int32";
    offset: number;
    length: number;
  }[];
  sha256?: string;
}

/** Named tensor groups to save: e.g. generator weights, optimiser slots. */
export type TensorGroups = Record<
  string,
  { name: string; tensor: tf.Tensor }[]
>;

/** A checkpoint as read back: tensors are new (caller disposes them). */
export interface LoadedCheckpoint {
  /** The file it was read from. */
  path: string;
  state: LoopState;
  groups: Record<string, { name: string; tensor: tf.Tensor }[]>;
}

const FILE = "checkpoint.bin";
const PREV = "checkpoint.prev.bin";

/** Save a checkpoint into `runDir` (previous one kept as the fallback). */
export async function saveCheckpoint(
  runDir: string,
  state: LoopState,
  groups: TensorGroups,
): Promise<void> {
  const tensors: Header["tensors"] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [group, list] of Object.entries(groups)) {
    for (const { name, tensor } of list) {
      if (tensor.dtype !== "float32" && tensor.dtype !== "int32") {
        throw new TypeError(`Cannot checkpoint ${group}/${name}: dtype ${tensor.dtype} is not float32 or int32`);
      }
      const data = await tensor.data<"float32" | "int32">();
      const bytes = new Uint8Array(
        data.buffer,
        data.byteOffset,
        data.byteLength,
      ).slice();
      tensors.push({
        group,
        name,
        shape: tensor.shape,
        dtype: tensor.dtype,
        offset,
        length: bytes.length,
      });
      chunks.push(bytes);
      offset += bytes.length;
    }
  }
  const body = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  const header: Header = { version: 2, state, tensors };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const end = 8 + headerBytes.length + body.length;
  const file = new Uint8Array(end + 32);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  file.set(body, 8 + headerBytes.length);
  file.set(hexBytes(await sha256Hex(file.subarray(0, end))), end);
  await Deno.rename(join(runDir, FILE), join(runDir, PREV)).catch(() => {});
  await writeFileAtomic(join(runDir, FILE), file);
}

/** Why a checkpoint file could not be used. */
export class CorruptCheckpointError extends Error {}

async function readOne(path: string): Promise<LoadedCheckpoint> {
  const file = await Deno.readFile(path);
  if (file.length < 8) {
    throw new CorruptCheckpointError(
      `${path}: ${file.length} bytes, shorter than the 8-byte header length`,
    );
  }
  const headerLength = Number(
    new DataView(file.buffer, file.byteOffset).getBigUint64(0, true),
  );
  if (8 + headerLength > file.length) {
    throw new CorruptCheckpointError(
      `${path}: header of ${headerLength} bytes runs past the end of the file (${file.length} bytes)`,
    );
  }
  let header: Header;
  try {
    header = JSON.parse(
      new TextDecoder().decode(file.subarray(8, 8 + headerLength)),
    );
  } catch (e) {
    throw new CorruptCheckpointError(
      `${path}: header at byte 8 is not JSON (${(e as Error).message})`,
    );
  }
  const body = await checkedBody(path, file, header, headerLength);
  checkTensors(path, header, body.length);
  const groups: LoadedCheckpoint["groups"] = {};
  for (const t of header.tensors) {
    const values = t.dtype === "int32"
      ? new Int32Array(body.buffer, t.offset, t.length / 4)
      : new Float32Array(body.buffer, t.offset, t.length / 4);
    (groups[t.group] ??= []).push({
      name: t.name,
      tensor: tf.tensor(values, t.shape, t.dtype),
    });
  }
  return { path, state: header.state, groups };
}

/** The tensor bytes, once the file's hash (version 2) or theirs (version 1) matches. */
async function checkedBody(path: string, file: Uint8Array, header: Header, headerLength: number): Promise<Uint8Array> {
  if (header.version === 2) {
    const end = file.length - 32;
    const hash = await sha256Hex(file.subarray(0, Math.max(0, end)));
    const saved = Array.from(file.subarray(Math.max(0, end)), (b) => b.toString(16).padStart(2, "0")).join("");
    if (end < 8 + headerLength || hash !== saved) {
      throw new CorruptCheckpointError(
        `${path}: the file's sha256 is ${hash.slice(0, 12)}…, its last 32 bytes say ${saved.slice(0, 12)}…`,
      );
    }
    return file.slice(8 + headerLength, end);
  }
  if (header.version !== 1 || typeof header.sha256 !== "string") {
    throw new CorruptCheckpointError(`${path}: header version ${JSON.stringify(header.version)}: expected 1 or 2`);
  }
  const body = file.slice(8 + headerLength);
  const hash = await sha256Hex(body);
  if (hash !== header.sha256) {
    throw new CorruptCheckpointError(
      `${path}: tensor bytes have sha256 ${hash.slice(0, 12)}…, header says ${header.sha256.slice(0, 12)}…`,
    );
  }
  return body;
}

/** Every tensor entry names a known dtype and a shape its bytes hold, inside the tensor bytes; the state has its numbers. */
function checkTensors(path: string, header: Header, bodyLength: number): void {
  const { state } = header;
  for (const k of ["step", "seconds", "metricsBytes"] as const) {
    if (!Number.isInteger(state?.[k]) && !(k === "seconds" && Number.isFinite(state?.[k]))) {
      throw new CorruptCheckpointError(`${path}: state.${k} is ${JSON.stringify(state?.[k])}: expected a number`);
    }
  }
  for (const t of header.tensors ?? []) {
    const size = Array.isArray(t.shape) ? t.shape.reduce((a, d) => a * d, 1) : NaN;
    const ok = (t.dtype === "float32" || t.dtype === "int32") && Number.isInteger(size) && t.length === 4 * size &&
      Number.isInteger(t.offset) && t.offset % 4 === 0 && t.offset >= 0 && t.offset + t.length <= bodyLength;
    if (!ok) {
      throw new CorruptCheckpointError(
        `${path}: tensor ${t.group}/${t.name} (${t.dtype} [${t.shape}], bytes ${t.offset}+${t.length}) does not ` +
          `fit: expected float32 or int32, 4 bytes per value, inside the ${bodyLength} tensor bytes`,
      );
    }
  }
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * Load the newest usable checkpoint of a run, or null when there is none.
 * A corrupt newest checkpoint falls back to the previous one; `warn` is told.
 */
export async function loadCheckpoint(
  runDir: string,
  warn: (message: string) => void,
): Promise<LoadedCheckpoint | null> {
  for (const name of [FILE, PREV]) {
    try {
      return await readOne(join(runDir, name));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      warn(
        `${(e as Error).message}; ${name === FILE ? "trying the previous checkpoint" : "starting over"}`,
      );
    }
  }
  return null;
}
