#!/usr/bin/env bash
# Packs this machine's .NET runtime (the dotnet host and the newest Microsoft.NETCore.App beside the
# `dotnet` on PATH) into OUT_DIR/dotnet-runtime.tar.xz: the archive run-on-gpu.sh and
# conv-passes.sh unpack on a GPU machine that has no dotnet (26 MB for 10.0.12). x86-64 only.
# Usage: perf/gpu/make-kit.sh perf/gpu/pack-runtime.sh   (which calls: pack-runtime.sh artifacts/runtime)
set -euo pipefail
out=${1:?usage: pack-runtime.sh OUT_DIR}
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
version=$(ls "$root/shared/Microsoft.NETCore.App" | sort -V | tail -n 1)
mkdir -p "$out"
tar -C "$root" -cJf "$out/dotnet-runtime.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$version"
du -h "$out/dotnet-runtime.tar.xz"
