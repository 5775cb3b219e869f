#!/usr/bin/env bash
# False-alarm sweep: runs every backend's random properties (the suite's RandomConvolutions and
# RandomPooling, 300 FsCheck cases each by default) and the property tests under N different
# CONFORMANCE_SEED values, and prints one line per seed. A correct backend must pass them all.
# Usage: conformance/seed-sweep.sh [N (default 20)] [FIRST_SEED (default 1)]
# Build first: dotnet build Conformance.sln -c Release
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}; first=${2:-1}; failed=0
filter="FullyQualifiedName~RandomConvolutions|FullyQualifiedName~RandomPooling|FullyQualifiedName~Conformance.Tests.Properties"
for ((seed = first; seed < first + n; seed++)); do
  out=$(CONFORMANCE_SEED=$seed dotnet test conformance/Conformance.Tests -c Release --no-build --filter "$filter" 2>&1)
  summary=$(echo "$out" | grep -E "^(Passed|Failed)!" | sed -E 's/ - Conformance.Tests.dll.*//')
  echo "CONFORMANCE_SEED=$seed: ${summary:-no summary (see dotnet test output)}"
  if ! echo "$summary" | grep -q "^Passed!"; then
    failed=$((failed + 1))
    echo "$out" | grep -E "^\s+Failed " | sed 's/^/    /'
  fi
done
echo "seed sweep: $failed of $n seeds had failures"
[ "$failed" -eq 0 ]
