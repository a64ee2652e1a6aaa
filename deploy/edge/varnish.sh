#!/usr/bin/env bash
# Runs a Varnish live edge in the foreground: renders its VCL with render.sh --vcl into WORKDIR and replaces itself with
# varnishd -F (so whoever started this script holds varnishd's PID, and stopping it stops the edge and its cache
# process). Everything varnishd writes (the compiled VCL, its shared memory log) stays under WORKDIR. Runs as root
# (varnishd then drops its cache process to the varnish package's users) or as any other user (no privilege change).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: deploy/edge/varnish.sh --workdir DIR --origin HOST:PORT [--origin HOST:PORT ...] [OPTIONS]

  --workdir DIR        varnishd's working directory (-n) and the rendered live.vcl; created if missing
  --listen HOST:PORT   where viewers connect (default 127.0.0.1:8082)
  --storage SIZE       memory for cached objects (default 512m: minutes of dozens of channels; LRU beyond)
  --threads N          worker threads kept ready per pool (default 200; each streaming delivery holds one)
  --param NAME=VALUE   another varnishd parameter (varnishd -x parameter lists them); repeatable
  Other options (--origin, --ingest-allow, --error-ttl, --live-ttl) go to render.sh --vcl (render.sh --help).
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
workdir= listen=127.0.0.1:8082 storage=512m threads=200 render=() params=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir) workdir=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --storage) storage=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --param) params+=(-p "$2"); shift 2 ;;
    --origin | --ingest-allow | --error-ttl | --live-ttl) render+=("$1" "$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "varnish.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$workdir" ] || { echo "varnish.sh: give --workdir" >&2; exit 2; }
command -v varnishd >/dev/null || PATH=$PATH:/usr/sbin
command -v varnishd >/dev/null || { echo "varnish.sh: varnishd is missing (apt-get install varnish)" >&2; exit 1; }

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
# As root, varnishd compiles the VCL and runs its cache process as unprivileged users, which must reach the folder.
[ "$(id -u)" -ne 0 ] || chmod 755 "$workdir"
bash "$here/render.sh" --vcl "${render[@]}" >"$workdir/live.vcl"

# -F: foreground. -n: a working directory of its own, so several edges (and a system varnishd) never share one.
# -s malloc: objects in memory, evicted least recently used. -t 0: what the origin does not say is not cached (the VCL
# sets every live lifetime itself).
# thread_pool_min: threads ready before a burst (a part's fill wakes every waiting viewer at once; creating threads then
# would delay them). rush_exponent: how many waiting requests each woken one wakes in turn (the waiting list empties in
# log(N) rounds). timeout_idle: a viewer's keep-alive connection between a part and its next blocking reload.
exec varnishd -F -n "$workdir/varnishd" -a "$listen" -f "$workdir/live.vcl" -s "malloc,$storage" -t 0 \
  -p thread_pool_min="$threads" -p thread_pool_max=5000 -p rush_exponent=8 -p timeout_idle=30 \
  -p default_grace=0 -p default_keep=0 "${params[@]}"
