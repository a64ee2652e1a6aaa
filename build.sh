#!/usr/bin/env bash
# The one entry point: sets up what each command needs, then runs it.
#
#   ./build.sh run [-- media server options]  pack the library, then run the media server (the main job)
#   ./build.sh test                           install the tools the tests drive, pack, build the samples, run every test
#   ./build.sh pack                           pack src/ZeroCopy into artifacts/packages (the samples' local feed)
#   ./build.sh samples                        pack, then build every sample from the package
#   ./build.sh bench [BenchmarkDotNet args]   run the micro-benchmarks (Release)
#   ./build.sh load                           run the load comparison (benchmarks/load)
#   ./build.sh fuzz [SECONDS]                 fuzz every parser SECONDS (default 30) each with afl++, then 1,000,000+ mutations in-process
#   ./build.sh soak [DURATION]                run the media server under mixed load and abuse for DURATION (default 30m)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

configuration=Release
feed=artifacts/packages
sample_packages=artifacts/sample-packages

# Debian packages the integration tests drive: real clients, never mocks.
test_tools=(ffmpeg:ffmpeg ffprobe:ffmpeg chromium:chromium)

install_test_tools() {
  local missing=()
  for entry in "${test_tools[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "build.sh: installing ${missing[*]} for the integration tests"
  if ! install_debian_packages "${missing[@]}"; then
    echo "build.sh: could not install ${missing[*]}; install them (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
}

# Debian packages installed the same way, by the command that needs them.
install_debian_packages() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

fuzz_targets=(http-head range chunked mp4 mpegts)

# Coverage-guided fuzzing (issue 11): SharpFuzz instruments the parsers' assemblies, afl++ drives each target for the
# given seconds from its corpus in tests/Fuzz/corpus; then every target takes a deterministic in-process mutation run.
# Fails on any crash or hang. Without afl++ (and no way to install it) only the in-process runs happen, and it says so.
fuzz() {
  local seconds=${1:-30} out=artifacts/fuzz target status=0
  if ! command -v afl-fuzz >/dev/null 2>&1; then
    echo "build.sh: installing afl++ for the fuzz targets"
    install_debian_packages afl++ || echo "build.sh: afl++ could not be installed: coverage-guided runs skipped, in-process mutation only" >&2
  fi
  dotnet restore tests/Fuzz --nologo -v quiet --force
  dotnet build tests/Fuzz -c "$configuration" --nologo -v quiet --no-restore
  rm -rf "$out" && mkdir -p "$out"
  cp -r tests/Fuzz/bin/"$configuration"/net10.0 "$out/bin"
  local runner="$out/bin/MediaServer.Fuzz.dll"
  if command -v afl-fuzz >/dev/null 2>&1; then
    dotnet tool restore >/dev/null
    # Instrumented copies only: the build output stays as it was.
    dotnet sharpfuzz "$out/bin/MediaServer.dll"
    dotnet sharpfuzz "$out/bin/ZeroCopy.dll"
    for target in "${fuzz_targets[@]}"; do
      AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
        timeout $((seconds + 120)) afl-fuzz -i "tests/Fuzz/corpus/$target" -o "$out/$target" -t 5000 -m none -V "$seconds" \
        -- dotnet "$runner" "$target" >"$out/$target.log" 2>&1 || { echo "fuzz $target: afl-fuzz failed, see $out/$target.log" >&2; tail -20 "$out/$target.log" >&2; status=1; continue; }
      local stats="$out/$target/default/fuzzer_stats" crashes hangs
      crashes=$(awk '/^saved_crashes/ { print $3 }' "$stats")
      hangs=$(awk '/^saved_hangs/ { print $3 }' "$stats")
      echo "fuzz $target: afl++ ${seconds} s, $(awk '/^execs_done/ { print $3 }' "$stats") executions, $(awk '/^corpus_count/ { print $3 }' "$stats") paths, $crashes crashes, $hangs hangs"
      if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
        dotnet tests/Fuzz/bin/"$configuration"/net10.0/MediaServer.Fuzz.dll "$target" --replay "$out/$target/default/crashes" "$out/$target/default/hangs" >&2 || true
        status=1
      fi
    done
  fi
  # In-process, the uninstrumented build: the same seeds mutated the same way every run (1,000,000 request heads).
  for target in "${fuzz_targets[@]}"; do
    local count=200000
    [ "$target" = http-head ] && count=1000000
    dotnet tests/Fuzz/bin/"$configuration"/net10.0/MediaServer.Fuzz.dll "$target" --mutate "$count" "tests/Fuzz/corpus/$target" || status=1
  done
  return "$status"
}

pack() {
  rm -f "$feed"/ZeroCopy.*.nupkg "$feed"/ZeroCopy.*.snupkg
  dotnet pack src/ZeroCopy -c "$configuration" --nologo -v quiet -o "$feed"
  # The samples restore into their own folder, so a repacked library of the same version is picked up.
  rm -rf "$sample_packages/zerocopy"
}

build_samples() {
  local project
  for project in samples/*/*.csproj; do
    dotnet restore "$project" --nologo -v quiet --force
    dotnet build "$project" -c "$configuration" --nologo -v quiet --no-restore
  done
}

# Runs the solution's tests and closes with one summary line over all test projects.
run_tests() {
  local log status
  log=$(mktemp)
  set +e
  dotnet test ZeroCopy.sln -c "$configuration" --nologo "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  count() { grep -oE "$1: +[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
  echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
  rm -f "$log"
  return "$status"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    pack
    [ "${1:-}" = "--" ] && shift
    dotnet restore samples/MediaServer --nologo -v quiet --force
    exec dotnet run -c "$configuration" --no-restore --project samples/MediaServer -- "$@"
    ;;
  test)
    install_test_tools
    pack
    build_samples
    fuzz 20
    run_tests "$@"
    ;;
  fuzz) pack; fuzz "${1:-30}" ;;
  pack) pack ;;
  samples) pack; build_samples ;;
  bench) exec dotnet run -c "$configuration" --project benchmarks/ZeroCopy.Benchmarks -- "$@" ;;
  load) pack; build_samples; exec benchmarks/load/run.sh "$@" ;;
  soak)
    pack
    dotnet restore samples/MediaServer --nologo -v quiet --force
    dotnet build samples/MediaServer -c "$configuration" --nologo -v quiet --no-restore
    dotnet build tests/Soak -c "$configuration" --nologo -v quiet
    exec dotnet tests/Soak/bin/"$configuration"/net10.0/Soak.dll "${1:-30m}" samples/MediaServer/bin/"$configuration"/net10.0/MediaServer.dll artifacts/soak
    ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
