#!/usr/bin/env bash
# Nsight Compute on our v2 convolution kernels at one VGG16 shape (block4_conv2 at batch 64 by
# default), for tuning: each pass's kernels profiled once (speed of light, occupancy, launch
# statistics, warp stalls, memory workload), written to OUT_DIR/ncu-<pass>.txt. Inputs are random
# float32 .npy files made there with numpy (too large to carry). Needs artifacts/gpu-kit and
# artifacts/runtime (perf/gpu/make-kit.sh perf/gpu/pack-runtime.sh), ncu and numpy.
# Usage: perf/gpu/ncu-conv.sh OUT_DIR [BATCH SIDE CIN COUT]
set -uo pipefail
out=${1:?usage: ncu-conv.sh OUT_DIR [BATCH SIDE CIN COUT]}; b=${2:-64}; n=${3:-28}; cin=${4:-512}; cout=${5:-512}
cd "$(dirname "$0")/../.."
work=$(mktemp -d); rt=$(mktemp -d)
tar -C "$rt" -xJf artifacts/runtime/dotnet-runtime.tar.xz
export DOTNET_ROOT="$rt" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
python3 - "$work" "$b" "$n" "$cin" "$cout" <<'PY'
import sys, numpy as np
d, b, n, cin, cout = sys.argv[1], *map(int, sys.argv[2:])
r = np.random.default_rng(1)
np.save(f"{d}/x.npy", r.uniform(-1, 1, (b, n, n, cin)).astype(np.float32))
np.save(f"{d}/w.npy", r.uniform(-1, 1, (3, 3, cin, cout)).astype(np.float32) / np.sqrt(9 * cin))
np.save(f"{d}/dy.npy", r.uniform(-1, 1, (b, n, n, cout)).astype(np.float32))
PY
sections=(--section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis)
C=("$rt/dotnet" artifacts/gpu-kit/conformance.dll)
timeout 150 ncu "${sections[@]}" --kernel-name regex:ForwardV2 --launch-count 1 \
  "${C[@]}" eval conv2d_layer --backend ilgpu-cuda-v2 --in x="$work/x.npy" --in w="$work/w.npy" --attr padding=same \
  --out y="$work/y.npy" --dtype f4 > "$out/ncu-forward.txt" 2>&1
timeout 200 ncu "${sections[@]}" --kernel-name regex:'ForwardV2|BackwardWeightsV2|ReduceSplitsV2' --launch-count 3 \
  "${C[@]}" eval conv2d_layer_backward --backend ilgpu-cuda-v2 --in x="$work/x.npy" --in w="$work/w.npy" --in dy="$work/dy.npy" \
  --attr padding=same --out dx="$work/dx.npy" --out dw="$work/dw.npy" --out db="$work/db.npy" --dtype f4 > "$out/ncu-backward.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader > "$out/gpu.txt"
