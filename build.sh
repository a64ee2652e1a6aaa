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
  test [ARGS]       install the tools the tests drive (ffmpeg, chromium, nginx), pack, check that the pack is reproducible,
                    build the samples from the package, run every test (the library's twice: on pinned arrays and
                    on shared memory); ARGS go to `dotnet test`
                    (./build.sh test --filter 'FullyQualifiedName~LiveCache')
  pack              pack each library under src/ into artifacts/packages (the samples' local feed), reproducibly
  reproducible      pack two fresh clones of HEAD and check that their packages are byte-identical
  samples           pack, then build every sample from the package
  bench [ARGS]      run the micro-benchmarks (Release); ARGS go to BenchmarkDotNet (./build.sh bench --filter '*Slice*')
  load [ARGS]       pack, build the samples from the package, run the load comparison; ARGS go to benchmarks/load/run.py
  cluster [ARGS]    pack, build the samples, start N media servers and M nginx edges in front of them on loopback
                    with a live push, print the edges' URLs, stop them all on Ctrl+C; ARGS go to deploy/edge/cluster.sh
                    (./build.sh cluster -- --origins 3 --edges 2; docs/scale-out.md)
  help              print this help (also -h, --help)
EOF
}

configuration=Release
feed=artifacts/packages
sample_packages=artifacts/sample-packages
# The samples consume the packed libraries instead of their projects (samples/Directory.Build.props).
from_package=-p:ZeroCopyFromPackage=true

# Debian packages the integration tests drive: real clients and the edge tier's nginx, never mocks.
test_tools=(ffmpeg:ffmpeg ffprobe:ffmpeg chromium:chromium nginx:nginx-light)

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

# Runs the solution's tests, the samples from the package, and closes with one summary line over all test projects.
run_tests() {
  local log status
  log=$(mktemp)
  set +e
  dotnet test ZeroCopy.sln -c "$configuration" --nologo "$from_package" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # The library's suite once more on the other segment store: every cache and live test holds for both.
  echo "build.sh: the library's tests again, on shared memory (ZEROCOPY_TEST_MEMORY=SharedMemory)"
  ZEROCOPY_TEST_MEMORY=SharedMemory dotnet test tests/ZeroCopy.Tests -c "$configuration" --nologo --no-build "$@" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
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
    [ "${1:-}" = "--" ] && shift
    exec dotnet run -c "$configuration" --project samples/MediaServer -- "$@"
    ;;
  test)
    install_test_tools
    pack
    check_reproducible
    build_samples
    run_tests "$@"
    ;;
  pack) pack ;;
  reproducible) check_reproducible ;;
  samples) pack; build_samples ;;
  bench) exec dotnet run -c "$configuration" --project benchmarks/ZeroCopy.Benchmarks -- "$@" ;;
  load) pack; build_samples; exec benchmarks/load/run.sh "$@" ;;
  cluster)
    [ "${1:-}" = "--" ] && shift
    install_test_tools
    pack
    build_samples
    exec deploy/edge/cluster.sh "$@"
    ;;
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
