#!/usr/bin/env bash
# One lent-GPU session for issue 11, in one call (the device tool returns at most 8 files, so
# everything is packed into OUT_DIR/results.tgz, plus OUT_DIR/summary.txt):
#   1. ptxas -v on every convolution kernel's PTX (registers, spills) from artifacts/ptx
#      (CONFORMANCE_PTX_DIR=artifacts/ptx dotnet test ... --filter FullyQualifiedName~IlgpuPtxTests);
#   2. perf/gpu/conv-passes.sh: cuDNN (TF32 off, then on) and our v1 and v2 kernels, VGG16's 13
#      convolutions at batch 64, each pass alone, in the same session;
#   3. the thorough catalogue on ilgpu-cuda (the dispatcher's choice per shape) and the
#      convolution ops on ilgpu-cuda-v2 (v2 forced), default mode on ilgpu-cuda-v1's convolutions.
# Needs artifacts/gpu-kit and artifacts/runtime (perf/gpu/make-kit.sh perf/gpu/pack-runtime.sh).
# Usage: perf/gpu/issue11-session.sh OUT_DIR [VERSIONS (v1,v2)]: the kernel versions timed; each one
# but v1 is also checked forced on the convolution and dense ops.
set -uo pipefail
out=${1:?usage: issue11-session.sh OUT_DIR [VERSIONS]}; versions=${2:-v1,v2}
cd "$(dirname "$0")/../.."
source perf/gpu/session-lib.sh  # $work, $C, step (timed, packed after each)
for f in artifacts/ptx/Conv*.ptx artifacts/ptx/Winograd*.ptx; do echo "== $f"; timeout 20 ptxas -arch=sm_90 -v "$f" -o /dev/null 2>&1; done > "$work/ptxas.txt"
step timeout 240 perf/gpu/conv-passes.sh "$work/passes" 64 "$versions" > "$work/conv-passes.log" 2>&1
step timeout 120 "${C[@]}" check --backend ilgpu-cuda --mode thorough --json "$work/cuda-thorough.json" > "$work/cuda-thorough.txt" 2>&1
for v in ${versions//,/ }; do
  [ "$v" = v1 ] && continue
  for op in conv2d_layer conv2d_layer_backward dense dense_backward; do
    step timeout 35 "${C[@]}" check --backend ilgpu-cuda-$v --mode thorough --op $op > "$work/cuda-$v-$op.txt" 2>&1
  done
done
step timeout 30 "${C[@]}" check --backend ilgpu-cuda-v1 --op conv2d_layer_backward > "$work/cuda-v1-backward.txt" 2>&1
nvidia-smi > "$work/nvidia-smi.txt" 2>&1
{ cat "$work/steps.txt"; grep -h "conformance:" "$work"/cuda*.txt; cat "$work/passes/machine.txt"; } > "$out/summary.txt"
tar -C "$work" -czf "$out/results.tgz" .
