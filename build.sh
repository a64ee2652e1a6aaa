#!/usr/bin/env bash
# The one entry point: sets up what each command needs, then runs it. `./build.sh --help` lists the commands; the
# usage below is that help, word for word.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

usage() {
  cat <<'EOF'
Usage: ./build.sh COMMAND [ARGS...]

Commands:
  run [-- ARGS]     run the media server (samples/MediaServer) from the library's project; ARGS go to the server
                    (./build.sh run -- --help lists them)
  test [ARGS]       install the clients the tests drive (ffmpeg, mpv, browsers, nginx, varnish, afl++), pack, check that the pack is
                    reproducible, build the samples from the package, fuzz every parser for 20 s, run every test (the
                    libraries on net10.0 and net8.0, the library also on shared memory and with the socket loop off); ARGS
                    go to `dotnet test`
                    (./build.sh test --filter 'FullyQualifiedName~LiveCache')
  pack              pack each library under src/ into artifacts/packages (the samples' local feed), reproducibly
  reproducible      pack two fresh clones of HEAD and check that their packages are byte-identical
  samples           pack, then build every sample from the package
  bench [ARGS]      run the micro-benchmarks (Release); ARGS go to BenchmarkDotNet (./build.sh bench --filter '*Slice*')
  load [ARGS]       pack, build the samples from the package, run the load comparison; ARGS go to benchmarks/load/run.py
  fuzz [SECONDS]    fuzz every parser SECONDS (default 30) each with afl++, then 1,000,000+ mutations in-process
  soak [DURATION]   run the media server under mixed load and abuse for DURATION (default 30m), recording RSS and
                    descriptors
  cluster [ARGS]    pack, build the samples, start N media servers, M nginx edges (video on demand) and L Varnish live
                    edges (LL-HLS) in front of them on loopback with a live push, print the edges' URLs, stop them all on
                    Ctrl+C; ARGS go to deploy/edge/cluster.sh (./build.sh cluster -- --origins 3 --edges 2; docs/scale-out.md)
  screenshot        refresh docs/media-server.png: run the one browser test that takes it (headless Chromium, the bundled
                    MP4 paused at 12 s, a live channel ffmpeg publishes playing) and copy its PNG into docs/
  help              print this help (also -h, --help)
EOF
}

configuration=Release
feed=artifacts/packages
sample_packages=artifacts/sample-packages
# The samples consume the packed libraries instead of their projects (samples/Directory.Build.props).
from_package=-p:ZeroCopyFromPackage=true

# Debian packages the integration tests drive: real clients and the edge tier's nginx and Varnish, never mocks. The page
# is played in Chromium, Firefox ESR and WebKitGTK (WebKitWebDriver on an Xvfb display); WebKitGTK decodes through GStreamer.
test_tools=(ffmpeg:ffmpeg ffprobe:ffmpeg chromium:chromium nginx:nginx-light varnishd:varnish firefox-esr:firefox-esr
  WebKitWebDriver:webkit2gtk-driver Xvfb:xvfb mpv:mpv)
# Packages with no command of their own: GStreamer's H.264 and AAC decoders (libav), demuxers and parsers; libsrt for
# the media server's SRT ingest (the OpenSSL flavour; Debian's ffmpeg brings the GnuTLS one, which serves as well).
test_packages=(gstreamer1.0-libav gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libsrt1.5-openssl)

# With arguments (COMMAND:PACKAGE, as in test_tools), only those commands.
install_test_tools() {
  local missing=() tools=("${test_tools[@]}") packages=("${test_packages[@]}")
  [ $# -eq 0 ] || { tools=("$@"); packages=(); }
  for entry in "${tools[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
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

# Packs every library under src/ as a release is packed: rebuilt from scratch with CI paths (/_/ in the PDBs), the
# version from git tags, the archives stamped with the commit time (src/Directory.Build.targets).
pack() {
  local project package
  rm -f "$feed"/*.nupkg "$feed"/*.snupkg "$feed"/*.version
  for project in src/*/*.csproj; do
    dotnet build "$project" -c "$configuration" --nologo -v quiet -clp:NoSummary --no-incremental -p:ContinuousIntegrationBuild=true
    dotnet pack "$project" -c "$configuration" --nologo -v quiet -clp:NoSummary --no-build -p:ContinuousIntegrationBuild=true -o "$feed"
  done
  for package in "$feed"/*.nupkg; do
    check_package "$package"
  done
  # The samples restore into their own folder, so a repacked library of the same version is picked up.
  rm -rf "$sample_packages"/zerocopy*
  echo "build.sh: packed $(cd "$feed" && ls ./*.nupkg | sed 's|^\./||' | paste -sd ' ') into $feed"
}

# What nuget.org shows of a package: its icon, its README (whose links must be absolute: a relative one leads nowhere
# there), and release notes.
check_package() {
  local package=$1 relative
  for entry in icon.png README.md; do
    unzip -l "$package" "$entry" >/dev/null || { echo "build.sh: $package has no $entry" >&2; return 1; }
  done
  relative=$(unzip -p "$package" README.md | grep -oP '\]\((?!https?://)[^)]*\)' || true)
  [ -z "$relative" ] || { echo "build.sh: the README of $package has relative links: $relative" >&2; return 1; }
  unzip -p "$package" '*.nuspec' | grep -q '<releaseNotes>' || { echo "build.sh: $package has no release notes" >&2; return 1; }
}

# Clones HEAD twice, at paths of different lengths, packs each clone with its own build.sh, and compares the
# packages byte for byte. The clones keep this repository's origin, so SourceLink is on or off in both as it is here.
check_reproducible() {
  local work origin clone
  work=$(mktemp -d)
  origin=$(git remote get-url origin 2>/dev/null || true)
  for clone in a bb; do
    git clone -q --no-hardlinks . "$work/$clone"
    [ -z "$origin" ] || git -C "$work/$clone" remote set-url origin "$origin"
    (cd "$work/$clone" && ./build.sh pack >/dev/null)
  done
  local sums=()
  for clone in a bb; do
    sums+=("$(cd "$work/$clone/$feed" && sha256sum ./*.nupkg ./*.snupkg | sed 's|\./||')")
  done
  if [ "${sums[0]}" = "${sums[1]}" ]; then
    echo "build.sh: reproducible: two clones of $(git -C "$work/a" rev-parse --short HEAD) packed byte-identical packages:"
    echo "${sums[0]}" | sed 's/^/  /'
    rm -rf "$work"
  else
    echo "build.sh: not reproducible: the packages of two clones of HEAD differ; compare them with zipinfo:" >&2
    ls "$work"/a/"$feed"/*.*nupkg "$work"/bb/"$feed"/*.*nupkg >&2
    return 1
  fi
}

build_samples() {
  local project
  for project in samples/*/*.csproj; do
    dotnet restore "$project" --nologo -v quiet --force "$from_package"
    dotnet build "$project" -c "$configuration" --nologo -v quiet --no-restore "$from_package"
  done
}

# Runs the solution's tests (the libraries' on net10.0 and net8.0, see tests/Directory.Build.props), the samples from
# the package, and closes with one summary line per framework over all test projects.
run_tests() {
  local log status
  log=$(mktemp)
  set +e
  dotnet test ZeroCopy.sln -c "$configuration" --nologo "$from_package" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # The library's suite once more on the other segment store, and on both stores with the socket loop off (the
  # framework's path, as on Windows and macOS): every cache, live and send test holds in all four. These vary the
  # operating system's side, so they run on the newest framework only.
  local memory loop
  for run in SharedMemory:1 PinnedArrays:0 SharedMemory:0; do
    memory=${run%%:*} loop=${run#*:}
    echo "build.sh: the library's tests again, on $memory with the socket loop $([ "$loop" = 1 ] && echo on || echo off) (ZEROCOPY_TEST_MEMORY=$memory ZEROCOPY_SOCKET_LOOP=$loop)"
    ZEROCOPY_TEST_MEMORY=$memory ZEROCOPY_SOCKET_LOOP=$loop dotnet test tests/ZeroCopy.Tests -c "$configuration" --nologo --no-build -f net10.0 "$@" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  set -e
  # "Passed!  - Failed: 0, Passed: 730, Skipped: 0, Total: 730, Duration: 32 s - ZeroCopy.Tests.dll (net8.0)"
  grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+, .*\(net[0-9.]+\)$' "$log" |
    sed -E 's/Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+), .*\((net[0-9.]+)\)$/\4 \2 \1 \3/' |
    awk '{ p[$1] += $2; f[$1] += $3; s[$1] += $4 } END { for (k in p) printf "tests on %s: %d passed, %d failed, %d skipped\n", k, p[k], f[k], s[k] }' |
    sort
  rm -f "$log"
  return "$status"
}

# docs/media-server.png is the screenshot a test takes once its assertions hold (Clients/BrowserLiveTests.cs): the page
# in headless Chromium through Playwright at 1280 px wide, on a server with the bundled media and a channel ffmpeg
# publishes. Runs that test alone and copies its PNG, so the picture is always of the page as it is.
screenshot() {
  local test=MediaServer.Tests.Clients.BrowserLiveTests.ThePagePlaysTheLiveChannelAndItsTimeAdvances
  local png=tests/Samples/MediaServer.Tests/bin/"$configuration"/net10.0/media-server.png
  install_test_tools chromium:chromium ffmpeg:ffmpeg
  rm -f "$png"
  dotnet test tests/Samples/MediaServer.Tests -c "$configuration" --nologo --filter "FullyQualifiedName=$test"
  [ -f "$png" ] || { echo "build.sh: $test wrote no $png" >&2; return 1; }
  cp "$png" docs/media-server.png
  echo "build.sh: docs/media-server.png refreshed ($(file -b docs/media-server.png | cut -d, -f2 | xargs))"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    [ "${1:-}" = "--" ] && shift
    exec dotnet run -c "$configuration" --project samples/MediaServer -- "$@"
    ;;
  test)
    install_test_tools
    pack
    check_reproducible
    build_samples
    fuzz 20
    run_tests "$@"
    ;;
  fuzz) fuzz "${1:-30}" ;;
  pack) pack ;;
  reproducible) check_reproducible ;;
  samples) pack; build_samples ;;
  bench) exec dotnet run -c "$configuration" --project benchmarks/ZeroCopy.Benchmarks -- "$@" ;;
  load) pack; build_samples; exec benchmarks/load/run.sh "$@" ;;
  soak)
    dotnet build samples/MediaServer -c "$configuration" --nologo -v quiet
    dotnet build tests/Soak -c "$configuration" --nologo -v quiet
    exec dotnet tests/Soak/bin/"$configuration"/net10.0/Soak.dll "${1:-30m}" samples/MediaServer/bin/"$configuration"/net10.0/MediaServer.dll artifacts/soak
    ;;
  cluster)
    [ "${1:-}" = "--" ] && shift
    install_test_tools
    pack
    build_samples
    exec deploy/edge/cluster.sh "$@"
    ;;
  screenshot) screenshot ;;
  help | -h | --help) usage ;;
  '')
    usage >&2
    exit 2
    ;;
  *)
    echo "build.sh: unknown command '$command'; ./build.sh --help lists the commands" >&2
    exit 2
    ;;
esac
