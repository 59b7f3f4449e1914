/**
 * Choosing and starting the tfjs backend.
 *
 * `auto` takes WebGPU when the adapter is real hardware, and wasm otherwise
 * (a software adapter such as llvmpipe computes correctly but is ~30× slower
 * than wasm). The choice and the reason go into every run's `config.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { applyTfFlags, type TfFlagValue } from "./flags.ts";
import "@tensorflow/tfjs-backend-webgpu";
import { InputError } from "../input_error.ts";
import type { GemmInfo } from "../kernels/gemm_info.ts";

export { BACKEND_CHOICES, type BackendChoice } from "./backend_choice.ts";
import type { BackendChoice } from "./backend_choice.ts";

/** The backend in use, why, and on what. */
export interface BackendInfo {
  /** The tfjs backend. */
  name: "webgpu" | "wasm" | "cpu";
  /** Why it was chosen (`--backend wasm`, `auto: no WebGPU adapter`, …). */
  reason: string;
  /** What it runs on, in words (`wasm SIMD, 2 threads on AMD EPYC …`, the GPU's name). */
  device: string;
  /** TensorFlow.js flags set from the command line (`--tf-flag`), when any. */
  tfFlags?: Record<string, TfFlagValue>;
  /** On wasm: the GEMM the matrix products and convolutions run on (OpenBLAS or the wasm SIMD GEMM). */
  gemm?: GemmInfo;
}

interface GpuAdapterLike {
  info?: {
    isFallbackAdapter?: boolean;
    description?: string;
    vendor?: string;
    device?: string;
  };
}

async function gpuAdapter(): Promise<GpuAdapterLike | null> {
  const gpu = (navigator as {
    gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  }).gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

function adapterName(a: GpuAdapterLike): string {
  const i = a.info ?? {};
  return [i.vendor, i.device, i.description].filter((s) => s).join(" ") ||
    "unknown adapter";
}

function isSoftware(a: GpuAdapterLike): boolean {
  return a.info?.isFallbackAdapter === true ||
    /llvmpipe|swiftshader|software/i.test(a.info?.description ?? "");
}

async function cpuName(): Promise<string> {
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    const model = text.match(/model name\s*:\s*(.*)/)?.[1]?.trim();
    if (model) return model;
  } catch {
    // Deno grants /proc only with --allow-all: name what can be known without it.
  }
  return `${Deno.build.arch} CPU, ${navigator.hardwareConcurrency} cores`;
}

/** What a backend-ready hook may add to the backend info. */
export type BackendExtras = Pick<BackendInfo, "gemm">;

let kernelsHook: ((backend: string) => BackendExtras | void) | undefined;

/** Install a function called once a backend is set (used to register extra kernels); what it returns joins the info. */
export function onBackendReady(hook: (backend: string) => BackendExtras | void): void {
  kernelsHook = hook;
}

/**
 * Pick the backend for `choice`, set it and wait until it is ready. `tfFlags` are set first (some, such as
 * WEBGPU_USE_LOW_POWER_GPU, are read as the backend starts) and recorded in the returned info.
 * @throws {InputError} when `webgpu` is requested and no adapter exists.
 */
export async function startBackend(
  choice: BackendChoice,
  tfFlags: Record<string, TfFlagValue> = {},
): Promise<BackendInfo> {
  applyTfFlags(tfFlags);
  let info: BackendInfo;
  if (choice === "auto" || choice === "webgpu") {
    const adapter = await gpuAdapter();
    if (adapter && (!isSoftware(adapter) || choice === "webgpu")) {
      info = {
        name: "webgpu",
        reason: choice === "webgpu"
          ? `requested${isSoftware(adapter) ? " (software adapter: expect it to be slow)" : ""}`
          : "a hardware WebGPU adapter is present",
        device: adapterName(adapter),
      };
    } else if (choice === "webgpu") {
      throw new InputError(
        "--backend",
        "webgpu was requested but navigator.gpu has no adapter; use auto, wasm or cpu",
      );
    } else {
      info = {
        name: "wasm",
        reason: adapter ? `the only WebGPU adapter is a software one (${adapterName(adapter)})` : "no WebGPU adapter",
        device: `wasm SIMD, 1 thread on ${await cpuName()}`,
      };
    }
  } else {
    info = {
      name: choice,
      reason: "requested",
      device: choice === "wasm" ? `wasm SIMD, 1 thread on ${await cpuName()}` : `JavaScript on ${await cpuName()}`,
    };
  }
  if (tf.getBackend() !== info.name) {
    if (!(await tf.setBackend(info.name))) {
      throw new Error(`tfjs could not start the ${info.name} backend`);
    }
  }
  await tf.ready();
  const extras = kernelsHook?.(info.name) ?? {};
  info = { ...info, ...extras };
  return Object.keys(tfFlags).length ? { ...info, tfFlags } : info;
}
