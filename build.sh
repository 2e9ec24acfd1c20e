#!/usr/bin/env bash
# The project's one entry point for people and CI.
#   ./build.sh run [args]    run the main example: a voice bot with a talking avatar, offline (no API key needed);
#                            --help for its modes and options
#   ./build.sh test [args]   install what the tests need, then run the whole test suite
#   ./build.sh bench [args]  run the BenchmarkDotNet suite (Release)
#   ./build.sh pack [dir]    pack every src/ project into dir (default artifacts/packages): docs/packaging.md
#   ./build.sh check-live    live conformance check of HeyGen's protocol (LIVEAVATAR_API_KEY / HEYGEN_API_KEY; the
#                            emulator without a key); --help for options; docs/heygen-protocol.md reads its report
# Prerequisites are installed by the idempotent scripts in build/prereqs/, in name order, before tests run.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "build.sh: the .NET SDK (10.0) is required: https://dot.net" >&2
    exit 1
  fi
}

install_prereqs() {
  local script
  for script in build/prereqs/*.sh; do
    [ -e "$script" ] || continue
    echo "build.sh: prerequisite $(basename "$script")"
    bash "$script"
  done
}

# Prints one plain closing line, 'N passed, N failed, N skipped', summed over the TRX files of the run.
summarize() {
  local dir=$1 passed=0 failed=0 total=0 executed=0 f p fl t e
  for f in "$dir"/*.trx; do
    [ -e "$f" ] || continue
    p=$(grep -o '<Counters [^>]*' "$f" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    fl=$(grep -o '<Counters [^>]*' "$f" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    t=$(grep -o '<Counters [^>]*' "$f" | grep -o ' total="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    e=$(grep -o '<Counters [^>]*' "$f" | grep -o ' executed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    passed=$((passed + p)); failed=$((failed + fl)); total=$((total + t)); executed=$((executed + e))
  done
  echo "${passed} passed, ${failed} failed, $((total - executed)) skipped"
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  check-live)
    need_dotnet
    exec dotnet run --project tools/HeyGenLiveCheck -c Release -- "$@"
    ;;
  run)
    # --help is answered from the example's usage text (kept equal to its --help by a test): nothing to build.
    for arg in "$@"; do
      case "$arg" in -h|--help|-\?) cat examples/HeyGenAvatarBot/USAGE.txt; exit 0 ;; esac
    done
    need_dotnet
    # What the offline voice bot needs (idempotent; quick when installed): local engines, VAD model, ffmpeg.
    for script in build/prereqs/30-local-speech-engines.sh build/prereqs/30-silero-vad.sh build/prereqs/30-ffmpeg.sh; do
      bash "$script"
    done
    exec dotnet run --project examples/HeyGenAvatarBot -c Release -- "$@"
    ;;
  test)
    need_dotnet
    install_prereqs
    results="artifacts/test-results"
    rm -rf "$results"
    status=0
    # Build every project first (examples and benchmarks too: `dotnet test` alone compiles only what tests reference),
    # then a seconds-long smoke pass of every benchmark (one in-process iteration each: does it run, not how fast).
    dotnet build Pipeline.sln -c Release
    echo "build.sh: benchmark smoke pass"
    mkdir -p artifacts
    dotnet run --project benchmarks/Pipeline.Benchmarks -c Release --no-build -- \
      --filter '*' --job dry --inProcess --artifacts artifacts/benchmark-smoke >artifacts/benchmark-smoke.log 2>&1 \
      || { status=$?; tail -n 60 artifacts/benchmark-smoke.log; echo "build.sh: the benchmark smoke pass failed" >&2; }
    dotnet test Pipeline.sln -c Release --no-build --logger "trx" --logger "console;verbosity=normal" \
      --results-directory "$results" "$@" || status=$?
    summarize "$results"
    exit $status
    ;;
  bench)
    need_dotnet
    exec dotnet run --project benchmarks/Pipeline.Benchmarks -c Release -- "$@"
    ;;
  pack)
    need_dotnet
    install_prereqs  # the native package is made from the engine the prerequisites fetch
    out=${1:-artifacts/packages}
    rm -rf "$out"
    for project in src/*/*.csproj; do
      dotnet pack "$project" -c Release -o "$out"
    done
    ls -1 "$out"
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
