#!/usr/bin/env bash
# Run the harness on a GPU machine that reaches no network, from the repository root, with the kit that
# bench/gpu/pack.sh built carried along as .device/ (the `device` tool: `carry: [".device"]`):
#
#   bash bench/gpu/run.sh bench --backend webgpu,wasm [bench flags...]    # deno task bench
#   bash bench/gpu/run.sh sweep experiments/blog-000-tf-dcgan.ts [...]    # deno task sweep (one run at a time)
#   bash bench/gpu/run.sh torch [torch_gan.py flags...]                   # the PyTorch reference, same iterations
#
# It unpacks Deno and (where the machine lacks it) the Vulkan loader, points wgpu at NVIDIA's Vulkan driver,
# and lets the task write only under results/ and $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=$PWD/.device
if [ ! -f "$kit/deno.xz" ]; then
  echo "run.sh: no .device/deno.xz: build the kit with bench/gpu/pack.sh and carry .device" >&2
  exit 2
fi
for tool in xz dpkg; do
  command -v "$tool" > /dev/null || { echo "run.sh: needs $tool (a Debian or Ubuntu machine)" >&2; exit 2; }
done
home=/tmp/gan-harness-kit
deno=$home/deno
if [ ! -x "$deno" ]; then
  mkdir -p "$home"
  xz -dc "$kit/deno.xz" > "$deno.tmp" && chmod +x "$deno.tmp" && mv "$deno.tmp" "$deno"
fi
# The Vulkan loader where the machine has none: unpacked into a folder of its own, found through LD_LIBRARY_PATH.
# (grep without -q reads all of ldconfig's output: with pipefail, an early exit would fail ldconfig with SIGPIPE)
if ! { /sbin/ldconfig -p 2> /dev/null || true; } | grep 'libvulkan\.so\.1 ' > /dev/null; then
  for f in "$kit"/debs/*.deb; do dpkg -x "$f" "$home/root"; done
  export LD_LIBRARY_PATH=$home/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; fi
export GAN_HARNESS_DATA=$kit/data DENO_DIR=$home/cache DENO_NO_UPDATE_CHECK=1
writes=results${OUT:+,$OUT}
mkdir -p results

task=${1:-}
shift || true
case "$task" in
  bench)
    exec "$deno" run --no-config --no-lock --allow-read --allow-write="$writes" --allow-run=python3 \
      --allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA \
      "$kit/bundle/bench.js" "$@"
    ;;
  sweep)
    for arg in "$@"; do
      case "$arg" in
        --jobs* | --threads*)
          echo "run.sh: $arg: the bundle trains one run at a time on one thread (its workers are separate files)" >&2
          exit 2
          ;;
      esac
    done
    exec "$deno" run --no-config --no-lock --allow-read --allow-write="$writes" \
      --allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA --allow-sys=hostname "$kit/bundle/sweep.js" \
      --jobs 1 --threads 1 "$@" # workers are separate files, which the bundle does not hold
    ;;
  torch)
    exec python3 bench/reference/torch_gan.py "$@"
    ;;
  *)
    echo "usage: bash bench/gpu/run.sh bench|sweep|torch [flags...]" >&2
    exit 2
    ;;
esac
