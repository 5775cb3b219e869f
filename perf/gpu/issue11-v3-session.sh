#!/usr/bin/env bash
# Issue 11, kernel version 3, one short lent-GPU call: ptxas -v on the v2 and v3 GEMM kernels
# (registers, spills), v3 forced on the thorough conv2d_layer cases, then v2 and v3 timed side by
# side (bench --conv-passes, batch 64, no cuDNN: its figures are in the 2026-11-26 report), then
# v3 on the thorough backward cases. Needs artifacts/ptx, artifacts/gpu-kit, artifacts/runtime.
# Usage: perf/gpu/issue11-v3-session.sh OUT_DIR
set -uo pipefail
out=${1:?usage: issue11-v3-session.sh OUT_DIR}
cd "$(dirname "$0")/../.."
rt=$(mktemp -d); tar -C "$rt" -xJf artifacts/runtime/dotnet-runtime.tar.xz
export DOTNET_ROOT="$rt" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 PATH="$rt:$PATH"
C=(dotnet artifacts/gpu-kit/conformance.dll)
step() { local s=$(date +%s) rc; "$@"; rc=$?; echo "$(date -u +%H:%M:%S) exit $rc in $(( $(date +%s) - s )) s: ${*:1:9}" >> "$out/steps.txt"; }
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader > "$out/gpu.txt" 2>&1
for f in artifacts/ptx/ConvGemmKernels*V[23].ptx; do echo "== $f"; timeout 30 ptxas -arch=sm_90 -v "$f" -o /dev/null 2>&1; done > "$out/ptxas.txt"
step timeout 45 "${C[@]}" check --backend ilgpu-cuda-v3 --mode thorough --op conv2d_layer > "$out/cuda-v3-forward.txt" 2>&1
mkdir -p "$out/passes"
step timeout 200 "${C[@]}" bench --conv-passes --batch 64 --versions v2,v3 --backends ilgpu-cuda --out "$out/passes" > "$out/passes.txt" 2>&1
step timeout 45 "${C[@]}" check --backend ilgpu-cuda-v3 --mode thorough --op conv2d_layer_backward > "$out/cuda-v3-backward.txt" 2>&1
cat "$out/steps.txt" "$out/gpu.txt"; grep -E "registers|spill|==" "$out/ptxas.txt"; grep -h "conformance:" "$out"/cuda-v3-*.txt; tail -n 40 "$out/passes.txt"
