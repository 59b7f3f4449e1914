/**
 * OpenBLAS's `cblas_sgemm` through `Deno.dlopen`, for the harness's wasm GEMM
 * (matrix products and the im2col convolutions).
 *
 * The operands are `Float32Array` views of the tfjs-wasm heap (its
 * `WebAssembly.Memory`), so OpenBLAS reads and writes the tensors in place:
 * no copies. OpenBLAS multiplies with 256-bit AVX2/AVX-512 FMA where the CPU
 * has it (wasm SIMD is 128 bits wide and bounds-checked under Deno) and runs
 * its own threads (`openblas_set_num_threads`).
 *
 * The library is used only when it is found at {@linkcode OPENBLAS_PATH}
 * (this CPU's entry of {@linkcode OPENBLAS_PATHS}) and the process holds the
 * FFI permission for that path (`--allow-ffi=PATH`). The permission is
 * queried, never prompted for; without it, or without the library, the wasm
 * SIMD GEMM runs as before and {@linkcode nativeBlasStatus} says why: not
 * installed, no permission, or cannot be loaded.
 * @module
 */

/** Where Debian/Ubuntu's `libopenblas0-pthread` puts OpenBLAS's pthread build, by `Deno.build.arch`. */
export const OPENBLAS_PATHS: Readonly<Partial<Record<typeof Deno.build.arch, string>>> = {
  x86_64: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  aarch64: "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
};

/** The one path looked for on this machine (its CPU's), or undefined on a CPU with none. */
export const OPENBLAS_PATH: string | undefined = OPENBLAS_PATHS[Deno.build.arch];

/** The command that installs the library on Debian/Ubuntu. */
export const OPENBLAS_INSTALL = "apt-get install libopenblas0-pthread";
const OPENBLAS_REINSTALL = "apt-get install --reinstall libopenblas0-pthread";

const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: ["i32", "i32", "i32", "i32", "f32", "buffer", "i32", "buffer", "i32", "f32", "buffer", "i32"],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
  // Copies floats from a pointer into a buffer: how the config string is read under an FFI permission scoped to
  // the library's path (Deno.UnsafePointerView needs --allow-ffi for everything).
  cblas_scopy: { parameters: ["i32", "pointer", "i32", "buffer", "i32"], result: "void" },
} as const;

type Library = Deno.DynamicLibrary<typeof SYMBOLS>;

/** Which native GEMM is loaded, as recorded in config.json and the bench JSON. */
export interface NativeBlasInfo {
  /** `openblas`. */
  library: "openblas";
  /** The file loaded. */
  path: string;
  /** `openblas_get_config()`: version, build options, the kernel set (`OpenBLAS 0.3.21 … DYNAMIC_ARCH … Zen …`). */
  config: string;
  /** The CPU kernels it picked, from the config (`Zen`, `Haswell`, `SkylakeX`, `Cooperlake`); "" if not named. */
  core: string;
  /** OpenBLAS threads per product now. */
  threads: number;
}

/** One GEMM operand: element (i, j) is the float at index `offset + i·rowStride + j·colStride` of the heap. */
export interface BlasOperand {
  /** Index of element (0, 0), in floats. */
  offset: number;
  rowStride: number;
  colStride: number;
}

/** Whether the native GEMM may be used: `auto` (when found and permitted) or `off`. */
export type NativeBlasChoice = "auto" | "off";

let choice: NativeBlasChoice = "auto";
let loaded: { lib: Library; info: NativeBlasInfo } | null | undefined;
let whyNot = "";
let calls = 0;

/** Calls to OpenBLAS (`cblas_sgemm`, `cblas_sgemv`) so far in this thread (for tests and profiles). */
export function nativeSgemmCalls(): number {
  return calls;
}

/**
 * The layout cblas takes for an `rows × cols` operand with these strides
 * (one of them must be 1), or null when it has none.
 */
function layout(rows: number, cols: number, rs: number, cs: number): { trans: number; ld: number } | null {
  if (cs === 1 && (rows === 1 || rs >= cols)) return { trans: CBLAS_NO_TRANS, ld: rows === 1 ? Math.max(cols, 1) : rs };
  if (rs === 1 && (cols === 1 || cs >= rows)) return { trans: CBLAS_TRANS, ld: cols === 1 ? Math.max(rows, 1) : cs };
  return null;
}

/** `openblas_get_config()`'s string: it lives in a 256-byte static buffer in OpenBLAS, read whole. */
function configString(lib: Library): string {
  const p = lib.symbols.openblas_get_config();
  if (!p) return "";
  const bytes = new Uint8Array(256);
  lib.symbols.cblas_scopy(64, p, 1, new Float32Array(bytes.buffer), 1);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? 255 : end)).trim();
}

/** Whether this process may do `name` on `path`, asked without a prompt. */
function granted(name: "ffi" | "read", path: string): boolean {
  try {
    return Deno.permissions.querySync({ name, path }).state === "granted";
  } catch {
    return false;
  }
}

function notInstalled(path: string): string {
  return `OpenBLAS is not installed (${path}): \`${OPENBLAS_INSTALL}\``;
}

/** The library at `path`, opened; else why not, in words. */
function open(path: string | undefined): Library | string {
  if (typeof Deno?.dlopen !== "function") return "this runtime has no Deno.dlopen";
  if (path === undefined) {
    const known = Object.keys(OPENBLAS_PATHS).join(" and ");
    return `no OpenBLAS path is known for this CPU (${Deno.build.arch}; Debian's is known for ${known})`;
  }
  // Absent is told apart up front where the path may be read; else from dlopen's own message below.
  if (granted("read", path)) {
    try {
      Deno.statSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return notInstalled(path);
    }
  }
  if (!granted("ffi", path)) return `no FFI permission for ${path} (run with --allow-ffi=${path})`;
  try {
    return Deno.dlopen(path, SYMBOLS);
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!.replace(/^(Could not open library: )+/, "");
    // The file itself missing, not a library it needs (whose own name would lead the message).
    if (message.startsWith(`${path}: cannot open shared object file: No such file`)) return notInstalled(path);
    return `OpenBLAS at ${path} cannot be loaded: ${message} (\`${OPENBLAS_REINSTALL}\` may repair it)`;
  }
}

/**
 * Why OpenBLAS at `path` cannot be used by this process: `OpenBLAS is not installed (PATH): …` with the install
 * line, `no FFI permission for PATH (run with --allow-ffi=PATH)`, or `OpenBLAS at PATH cannot be loaded: …`.
 * The library, where it loads, is closed again (the one in use stays open).
 * @param path the library (default {@linkcode OPENBLAS_PATH}, this CPU's).
 * @returns the reason, or null when it loads.
 * @example Say why the native GEMM would not run
 * ```ts
 * import { openBlasProblem } from "./native_blas.ts";
 * console.log(openBlasProblem() ?? "OpenBLAS loads");
 * ```
 */
export function openBlasProblem(path: string | undefined = OPENBLAS_PATH): string | null {
  const lib = open(path);
  if (typeof lib === "string") return lib;
  lib.close();
  return null;
}

function load(): { lib: Library; info: NativeBlasInfo } | null {
  const lib = open(OPENBLAS_PATH);
  if (typeof lib === "string") {
    whyNot = lib;
    return null;
  }
  const path = OPENBLAS_PATH!;
  // One thread until told otherwise: a sweep training two runs at once calls it from two workers.
  lib.symbols.openblas_set_num_threads(1);
  const config = configString(lib);
  const info: NativeBlasInfo = {
    library: "openblas",
    path,
    config,
    // DYNAMIC_ARCH builds name the kernel set they picked just before MAX_THREADS=.
    core: config.match(/(\S+) MAX_THREADS=/)?.[1] ?? "",
    threads: lib.symbols.openblas_get_num_threads(),
  };
  return { lib, info };
}

function current(): { lib: Library; info: NativeBlasInfo } | null {
  if (choice === "off") return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * Use the native GEMM when it is available (`auto`, the default) or never
 * (`off`: the wasm SIMD GEMM, for comparisons and for runs that must repeat
 * results made without it). Takes effect at the next product.
 * @param next the choice from now on.
 */
export function setNativeBlas(next: NativeBlasChoice): void {
  choice = next;
}

/** Whether products can run on the native GEMM now (loaded, and not switched off). */
export function nativeBlasReady(): boolean {
  return current() !== null;
}

/** The native GEMM in use, or null (see {@linkcode nativeBlasStatus} for why). */
export function nativeBlas(): NativeBlasInfo | null {
  const c = current();
  return c ? { ...c.info } : null;
}

/**
 * What the harness's GEMM runs on, in words: `OpenBLAS 0.3.21 … (Zen), 1
 * thread` or `wasm SIMD GEMM: <why the native one is not used>`.
 */
export function nativeBlasStatus(): { native: NativeBlasInfo | null; note: string } {
  const c = current();
  if (c) return { native: { ...c.info }, note: `${c.info.config}, ${c.info.threads} thread(s)` };
  return { native: null, note: choice === "off" ? "native GEMM switched off" : whyNot };
}

/**
 * Set OpenBLAS's threads per product (process-wide).
 * @param threads 1 or more.
 * @returns the threads OpenBLAS now uses, or 0 when no native GEMM is loaded.
 * @throws {RangeError} for a count that is not a positive integer.
 */
export function setNativeBlasThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`OpenBLAS threads: expected a positive integer, got ${threads}`);
  }
  const c = current();
  if (!c) return 0;
  c.lib.symbols.openblas_set_num_threads(threads);
  c.info.threads = c.lib.symbols.openblas_get_num_threads();
  return c.info.threads;
}

/**
 * `C[m×n] = A·B + beta·C` with `C` densely packed row-major at float index
 * `c`, on `heap` (a float view of the wasm memory's current buffer), by
 * `cblas_sgemm`. Returns false, without touching anything, when no native
 * GEMM is loaded or an operand's strides have no cblas layout (neither
 * stride 1); the caller then runs its own GEMM.
 */
export function nativeSgemm(
  heap: Float32Array,
  a: BlasOperand,
  b: BlasOperand,
  c: number,
  m: number,
  n: number,
  k: number,
  beta: 0 | 1,
): boolean {
  const lib = current()?.lib;
  if (!lib) return false;
  const la = layout(m, k, a.rowStride, a.colStride);
  const lb = layout(k, n, b.rowStride, b.colStride);
  if (!la || !lb) return false;
  const aLen = (m - 1) * a.rowStride + (k - 1) * a.colStride + 1;
  const bLen = (k - 1) * b.rowStride + (n - 1) * b.colStride + 1;
  calls++;
  lib.symbols.cblas_sgemm(
    CBLAS_ROW_MAJOR,
    la.trans,
    lb.trans,
    m,
    n,
    k,
    1,
    heap.subarray(a.offset, a.offset + aLen),
    la.ld,
    heap.subarray(b.offset, b.offset + bLen),
    lb.ld,
    beta,
    heap.subarray(c, c + m * n),
    n,
  );
  return true;
}

let ones = new Float32Array(0);

/**
 * `out[j] = scale · Σ_i x[i, j]` for a row-major `rows × cols` matrix at float index `x` of `heap`, written at
 * float index `out`, by `cblas_sgemv` (xᵀ · 1): the column sums that bias and batch-norm gradients reduce to.
 * Returns false, without touching anything, when no native GEMM is loaded.
 */
export function nativeColumnSums(
  heap: Float32Array,
  x: number,
  rows: number,
  cols: number,
  out: number,
  scale: number,
): boolean {
  const lib = current()?.lib;
  if (!lib) return false;
  if (ones.length < rows) ones = new Float32Array(rows).fill(1);
  calls++;
  lib.symbols.cblas_sgemv(
    CBLAS_ROW_MAJOR,
    CBLAS_TRANS,
    rows,
    cols,
    scale,
    heap.subarray(x, x + rows * cols),
    cols,
    ones,
    1,
    0,
    heap.subarray(out, out + cols),
    1,
  );
  return true;
}
