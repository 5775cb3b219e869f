#!/usr/bin/env bash
# Builds what a GPU machine without the .NET SDK needs to run the suite on ilgpu-cuda:
#   artifacts/gpu-kit/      the slim `conformance` command (reference + ILGPU backends, no libtorch)
#   artifacts/runtime/      the .NET runtime packed by a helper script, if one is given (optional)
# Usage: perf/gpu/make-kit.sh [PACK_RUNTIME_SCRIPT]
# Then on the GPU machine: perf/gpu/run-on-gpu.sh OUT_DIR (see README, "Run on a GPU machine").
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf artifacts/gpu-kit
# linux-x64 only: SkiaSharp (PNG output) would otherwise bring native libraries for every platform (160 MB).
dotnet publish conformance/Conformance.Cli -c Release -p:ConformanceSlim=true -r linux-x64 --self-contained false -o artifacts/gpu-kit >/dev/null
if [ $# -ge 1 ]; then bash "$1" artifacts/runtime; fi
du -sh artifacts/gpu-kit
