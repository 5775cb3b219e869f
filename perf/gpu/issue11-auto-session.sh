#!/usr/bin/env bash
# Issue 11, Auto with Winograd on CUDA, one lent-GPU call; everything is packed into OUT_DIR/results.tgz
# after each step (a call cut off at its limit still returns what ran), plus OUT_DIR/summary.txt:
#   1. perf/gpu/conv-passes.sh: cuDNN (TF32 off, then on) beside our v2 and v4, VGG16's 13 convolutions
#      at batch 64, each pass alone, with the "auto" column (what ilgpu-cuda's dispatcher picks per
#      layer and pass: v4 where ConvGemmPlan.PrefersWinograd, v2 for block1_conv1's forward and weights);
#   2. the thorough catalogue on ilgpu-cuda (Auto, now declaring Winograd for conv2d_layer);
#   3. the thorough catalogue on every forced version, ilgpu-cuda-v4 … -v1.
# Needs artifacts/gpu-kit and artifacts/runtime (perf/gpu/make-kit.sh, perf/gpu/pack-runtime.sh).
# Usage: perf/gpu/issue11-auto-session.sh OUT_DIR
set -uo pipefail
out=${1:?usage: issue11-auto-session.sh OUT_DIR}
cd "$(dirname "$0")/../.."
source perf/gpu/session-lib.sh  # $work, $C, step (timed, packed after each)
step timeout 230 perf/gpu/conv-passes.sh "$work/passes" 64 v2,v4 > "$work/conv-passes.log" 2>&1
step timeout 90 "${C[@]}" check --backend ilgpu-cuda --mode thorough --json "$work/cuda-thorough.json" > "$work/cuda-thorough.txt" 2>&1
for v in v4 v3 v2 v1; do
  step timeout 90 "${C[@]}" check --backend ilgpu-cuda-$v --mode thorough --json "$work/cuda-$v-thorough.json" > "$work/cuda-$v-thorough.txt" 2>&1
done
nvidia-smi > "$work/nvidia-smi.txt" 2>&1
{ cat "$work/steps.txt"; for f in "$work"/cuda*.txt; do echo "== $(basename "$f")"; grep -E "cases run|│ conv2d_layer|conformance:" "$f"; done
  cat "$work/passes/machine.txt" 2>/dev/null; grep -A8 "Against cuDNN" "$work"/passes/*-conv-passes-b64.md 2>/dev/null; } > "$out/summary.txt"
tar -C "$work" -czf "$out/results.tgz" .
cat "$out/summary.txt"
