#!/usr/bin/env bash
# The one entry point: sets up what each command needs, then runs it.
#
#   ./build.sh run [-- media server options]  pack the library, then run the media server (the main job)
#   ./build.sh test                           install the tools the tests drive, pack, build the samples, run every test
#   ./build.sh pack                           pack src/ZeroCopy into artifacts/packages (the samples' local feed)
#   ./build.sh samples                        pack, then build every sample from the package
#   ./build.sh bench [BenchmarkDotNet args]   run the micro-benchmarks (Release)
#   ./build.sh load                           run the load comparison (benchmarks/load)
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
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "build.sh: could not install ${missing[*]}; install them (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
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
    run_tests "$@"
    ;;
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
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
