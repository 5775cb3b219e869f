#!/usr/bin/env bash
# Issue 11, kernel version 4 (Winograd F(2×2,3×3)), one lent-GPU call; everything is packed into
# OUT_DIR/results.tgz after each step (a call cut off at its limit still returns what ran), plus
# OUT_DIR/summary.txt:
#   1. ptxas -v on the Winograd transforms and the v2/v3 GEMM kernels (registers, spills);
#   2. v4 forced on the thorough conv2d_layer and conv2d_layer_backward cases (the Winograd bound);
#   3. perf/gpu/conv-passes.sh: cuDNN (TF32 off, then on) and our v2, v3 and v4, VGG16's 13
#      convolutions at batch 64, each pass alone, in the same session (the issue's table);
#   4. the thorough catalogue on ilgpu-cuda, whose dispatcher now takes v3 where it measured faster;
#   5. Nsight Compute on v4's kernels for two layers forward (time per transform and GEMM).
# Needs artifacts/gpu-kit, artifacts/runtime and artifacts/ptx (perf/gpu/make-kit.sh,
# perf/gpu/pack-runtime.sh, and CONFORMANCE_PTX_DIR=$PWD/artifacts/ptx dotnet test ... --filter
# FullyQualifiedName~IlgpuPtxTests). Usage: perf/gpu/issue11-v4-session.sh OUT_DIR [VERSIONS (v2,v3,v4)]
set -uo pipefail
out=${1:?usage: issue11-v4-session.sh OUT_DIR [VERSIONS]}; versions=${2:-v2,v3,v4}
cd "$(dirname "$0")/../.."
source perf/gpu/session-lib.sh  # $work, $C, step (timed, packed after each)
for f in artifacts/ptx/Winograd*.ptx artifacts/ptx/ConvGemmKernels*V[23].ptx; do
  echo "== $f"; timeout 20 ptxas -arch=sm_90 -v "$f" -o /dev/null 2>&1
done > "$work/ptxas.txt"
for op in conv2d_layer conv2d_layer_backward; do
  step timeout 60 "${C[@]}" check --backend ilgpu-cuda-v4 --mode thorough --op $op > "$work/cuda-v4-$op.txt" 2>&1
done
step timeout 260 perf/gpu/conv-passes.sh "$work/passes" 64 "$versions" > "$work/conv-passes.log" 2>&1
step timeout 120 "${C[@]}" check --backend ilgpu-cuda --mode thorough --json "$work/cuda-thorough.json" > "$work/cuda-thorough.txt" 2>&1
# 5. Where v4's time goes, kernel by kernel (transforms against the batched GEMM), on block2_conv2 at
#    batch 16 forward (a large image: the transforms' memory traffic is largest there) and block4_conv2.
data=$(mktemp -d)  # outside $work, which is packed after every step
python3 - "$data" <<'PY'
import sys, numpy as np
r = np.random.default_rng(1)
for name, (b, n, c) in {"b2": (16, 112, 128), "b4": (16, 28, 512)}.items():
    np.save(f"{sys.argv[1]}/{name}-x.npy", r.uniform(-1, 1, (b, n, n, c)).astype(np.float32))
    np.save(f"{sys.argv[1]}/{name}-w.npy", (r.uniform(-1, 1, (3, 3, c, c)) / np.sqrt(9 * c)).astype(np.float32))
PY
for l in b2 b4; do
  step timeout 90 ncu --section SpeedOfLight --section LaunchStats --kernel-name regex:'V4|ForwardV[23]' --launch-count 4 \
    "${C[@]}" eval conv2d_layer --backend ilgpu-cuda-v4 --in x="$data/$l-x.npy" --in w="$data/$l-w.npy" --attr padding=same \
    --out y="$data/$l-y.npy" --dtype f4 > "$work/ncu-v4-$l.txt" 2>&1
done
nvidia-smi > "$work/nvidia-smi.txt" 2>&1
{ cat "$work/steps.txt"; grep -h "conformance:" "$work"/cuda*.txt; grep -E "registers|spill" "$work/ptxas.txt" | sort | uniq -c;
  cat "$work/passes/machine.txt" 2>/dev/null; grep -A6 "Against cuDNN" "$work"/passes/*-conv-passes-b64.md 2>/dev/null; } > "$out/summary.txt"
tar -C "$work" -czf "$out/results.tgz" .
cat "$out/summary.txt"
