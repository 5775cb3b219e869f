#!/usr/bin/env bash
# Runs the whole case catalogue (thorough mode: the real 224×224 VGG16 layers included) and
# gradcheck on a GPU backend, and spec/tools/check_conventions.py with the machine's Python
# libraries, and writes the scoreboard (Markdown, JSON), the gradcheck output, the convention
# results, the VGG16 golden check, PyTorch's and our bench report (perf/gpu/torch_bench.py and
# `conformance bench --include`) and the machine's description to OUT_DIR. Uses artifacts/gpu-kit (perf/gpu/make-kit.sh); if
# `dotnet` is not on PATH it unpacks artifacts/runtime/dotnet-runtime.tar.xz to a temporary folder.
# Usage: perf/gpu/run-on-gpu.sh OUT_DIR [BACKEND (default ilgpu-cuda)] [MODE (default thorough)]
set -uo pipefail
out=${1:?usage: run-on-gpu.sh OUT_DIR [BACKEND] [MODE]}; backend=${2:-ilgpu-cuda}; mode=${3:-thorough}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
if command -v dotnet >/dev/null; then dotnet=dotnet; else
  rt=$(mktemp -d); tar -C "$rt" -xJf artifacts/runtime/dotnet-runtime.tar.xz
  export DOTNET_ROOT="$rt" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1; dotnet="$rt/dotnet"
fi
run() { "$dotnet" artifacts/gpu-kit/conformance.dll "$@"; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /'
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores"
} > "$out/machine.txt"
start=$(date +%s)
run check --backend "$backend" --mode "$mode" --json "$out/scoreboard.json" --markdown "$out/scoreboard.md" > "$out/check.txt" 2>&1
echo "check exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
start=$(date +%s)
run gradcheck --backend "$backend" > "$out/gradcheck.txt" 2>&1
echo "gradcheck exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
if [ -d golden ]; then
  start=$(date +%s)
  run golden check --backend "$backend" --steps > "$out/golden-check.txt" 2>&1
  echo "golden check exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
fi
if command -v python3 >/dev/null && python3 -c "import torch" 2>/dev/null; then
  # PyTorch (cuDNN, TF32 off and on, and CPU) on the same workloads, in the same session, then our bench beside it.
  start=$(date +%s)
  python3 perf/gpu/torch_bench.py "$out/torch.json" > "$out/torch-bench.txt" 2>&1
  echo "torch_bench exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
  start=$(date +%s)
  run bench --backends "$backend,reference" --include "$out/torch.json" --out "$out" > "$out/bench.txt" 2>&1
  echo "bench exit $? in $(( $(date +%s) - start )) s" >> "$out/machine.txt"
fi
if command -v python3 >/dev/null; then
  python3 spec/tools/check_conventions.py --markdown "$out/conventions.md" > "$out/conventions.txt" 2>&1
  echo "conventions exit $?" >> "$out/machine.txt"
fi
cat "$out/machine.txt"; tail -n 5 "$out/check.txt"
