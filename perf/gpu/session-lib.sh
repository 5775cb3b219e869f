# Sourced by the one-call GPU session scripts (issue11-session.sh, issue11-v4-session.sh), from the
# repository root with $out set: unpacks the carried .NET runtime, sets C to the kit's command, makes
# $work (packed into $out/results.tgz after every step), and defines `step CMD...`, which times CMD,
# logs its exit status to $work/steps.txt and packs $work, so a call cut off at its limit still
# returns what ran.
work=$(mktemp -d); rt=$(mktemp -d)
tar -C "$rt" -xJf artifacts/runtime/dotnet-runtime.tar.xz
export DOTNET_ROOT="$rt" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 PATH="$rt:$PATH" PYTHONUNBUFFERED=1
C=(dotnet artifacts/gpu-kit/conformance.dll)
step() {
  local s=$(date +%s) rc; "$@"; rc=$?; echo "$(date -u +%H:%M:%S) exit $rc in $(( $(date +%s) - s )) s: ${*:1:9}" >> "$work/steps.txt"
  tar -C "$work" -czf "$out/results.tgz" .
}
