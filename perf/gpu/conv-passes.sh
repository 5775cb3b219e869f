#!/usr/bin/env bash
# Issue 11's measurement, short enough for a lent GPU: VGG16's 13 convolutions (9 distinct shapes)
# at batch 64, each pass alone (forward, backward data, backward weights), cuDNN through PyTorch
# (channels-last, cudnn.benchmark on, TF32 off, then on; perf/gpu/torch_bench.py --conv-passes)
# and then ours (ilgpu-cuda, kernel versions v1 and v2, `conformance bench --conv-passes`) in the
# same session, tabled together in OUT_DIR/*-conv-passes-b<BATCH>.md with per-layer ms and
# TFLOP/s, the 13-layer sums and v2's speed relative to cuDNN fp32. Uses artifacts/gpu-kit
# (perf/gpu/make-kit.sh); without `dotnet` on PATH it unpacks artifacts/runtime/dotnet-runtime.tar.xz.
# Without PyTorch the table has our columns only. Usage: perf/gpu/conv-passes.sh OUT_DIR [BATCH] [VERSIONS]
set -uo pipefail
out=${1:?usage: conv-passes.sh OUT_DIR [BATCH (64)] [VERSIONS (v1,v2)]}; batch=${2:-64}; versions=${3:-v1,v2}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
if command -v dotnet >/dev/null; then dotnet=dotnet; else
  rt=$(mktemp -d); tar -C "$rt" -xJf artifacts/runtime/dotnet-runtime.tar.xz
  export DOTNET_ROOT="$rt" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1; dotnet="$rt/dotnet"
fi
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /'
} > "$out/machine.txt"
include=()
if command -v python3 >/dev/null && python3 -c "import torch" 2>/dev/null; then
  start=$(date +%s)
  python3 perf/gpu/torch_bench.py "$out/torch-passes.json" --conv-passes --batch "$batch" > "$out/torch-passes.txt" 2>&1
  echo "torch_bench --conv-passes exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
  [ -s "$out/torch-passes.json" ] && include=(--include "$out/torch-passes.json")
else
  echo "no PyTorch here: cuDNN not measured" >> "$out/machine.txt"
fi
start=$(date +%s)
"$dotnet" artifacts/gpu-kit/conformance.dll bench --conv-passes --batch "$batch" --versions "$versions" --backends ilgpu-cuda \
  "${include[@]}" --out "$out" > "$out/passes.txt" 2>&1
echo "bench --conv-passes exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
cat "$out/machine.txt"; tail -n 60 "$out/passes.txt"
