#!/usr/bin/env bash
# A media tier on one machine, for trying the edge configuration and for load runs: N media servers (origins), M nginx
# edges for video on demand and L Varnish live edges for LL-HLS in front of them, on free loopback ports, with the
# bundled media and a live channel pushed through the first live edge. Prints the edges' URLs, runs until Ctrl+C (or
# --seconds), then stops everything it started, by PID. Needs ./build.sh samples (build.sh cluster does it), nginx
# (nginx-light), varnish and ffmpeg.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ./build.sh cluster [--origins N] [--edges M] [--live-edges L] [--media DIR] [--channel NAME] [--no-push] [--seconds S]

  --origins N      media servers to start (default 2)
  --edges M        nginx edges (video on demand) to start, each in front of every origin (default 2)
  --live-edges L   Varnish live edges (LL-HLS) to start, each in front of every origin (default 2)
  --media DIR      folder of videos every origin serves (default the bundled media); the same files, with the same
                   modification times, on every origin, so their ETags agree
  --channel NAME   the live channel ffmpeg pushes (a test pattern, through the first live edge) (default live)
  --no-push        start no live push
  --seconds S      stop after S seconds instead of waiting for Ctrl+C
  --keep           keep the scratch folder (configurations, logs, caches) after stopping
USAGE
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
origins=2 edges=2 live_edges=2 media="$root/samples/MediaServer/media" channel=live push=1 seconds= keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --origins) origins=$2; shift 2 ;;
    --edges) edges=$2; shift 2 ;;
    --live-edges) live_edges=$2; shift 2 ;;
    --media) media=$(cd "$2" && pwd); shift 2 ;;
    --channel) channel=$2; shift 2 ;;
    --no-push) push=; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

server="$root/samples/MediaServer/bin/Release/net10.0/MediaServer.dll"
[ -f "$server" ] || { echo "cluster.sh: $server is missing: run ./build.sh samples" >&2; exit 1; }
PATH=$PATH:/usr/sbin # nginx and varnishd, for a user whose PATH lacks it
for tool in nginx varnishd ffmpeg curl; do
  command -v "$tool" >/dev/null || { echo "cluster.sh: $tool is missing (apt-get install nginx-light varnish ffmpeg curl)" >&2; exit 1; }
done

scratch=$(mktemp -d -t edge-cluster.XXXXXX)
# Started as root, nginx's workers and varnishd's cache process run as unprivileged users: they must reach inside.
chmod 755 "$scratch"
pids=()
stop() {
  local pid
  trap - EXIT INT TERM
  # Newest first: the push, the live edges, the edges, then the origins; each by the PID this script got when it started it.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$keep" ]; then echo "cluster.sh: stopped; logs and caches kept in $scratch"; else rm -rf "$scratch"; echo "cluster.sh: stopped"; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() { # URL LOG: until it answers, at most 30 s
  for _ in $(seq 300); do
    curl -fso /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "cluster.sh: $1 did not answer within 30 s; its log:" >&2
  cat "$2" >&2
  return 1
}

origin_args=()
for ((o = 1; o <= origins; o++)); do
  port=$(free_port) ingest=$(free_port)
  dotnet "$server" --port "$port" --ingest-port "$ingest" --media "$media" --log-level Warning >"$scratch/origin$o.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/videos" "$scratch/origin$o.log"
  origin_args+=(--origin "127.0.0.1:$port")
  echo "origin $o: http://127.0.0.1:$port/ (pid ${pids[-1]})"
done

edge_urls=()
for ((e = 1; e <= edges; e++)); do
  port=$(free_port) prefix="$scratch/edge$e"
  mkdir -p "$prefix/tmp" "$prefix/cache"
  "$root/deploy/edge/render.sh" "${origin_args[@]}" --listen "127.0.0.1:$port" --cache-size 2g --workers 1 >"$prefix/edge.conf"
  nginx -p "$prefix" -c "$prefix/edge.conf" >"$prefix/nginx.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/videos" "$prefix/nginx.log"
  edge_urls+=("http://127.0.0.1:$port")
  echo "edge $e:   http://127.0.0.1:$port/ (pid ${pids[-1]}, configuration $prefix/edge.conf)"
done

live_urls=()
for ((e = 1; e <= live_edges; e++)); do
  port=$(free_port) workdir="$scratch/live$e"
  "$root/deploy/edge/varnish.sh" --workdir "$workdir" "${origin_args[@]}" --listen "127.0.0.1:$port" >"$scratch/live$e.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/hls.min.js" "$scratch/live$e.log"
  live_urls+=("http://127.0.0.1:$port")
  echo "live edge $e: http://127.0.0.1:$port/ (pid ${pids[-1]}, configuration $workdir/live.vcl)"
done

if [ -n "$push" ]; then
  # Through an edge, as an encoder would publish: the PUT lands on the channel's home origin, by the ring of the edges
  # its viewers use (the live edges' when there are any).
  publish_to=${live_urls[0]:-${edge_urls[0]}}
  ffmpeg -hide_banner -nostdin -loglevel warning -re -f lavfi -i testsrc=size=640x360:rate=25 \
         -f lavfi -i sine=frequency=440:sample_rate=44100 -c:v libx264 -preset veryfast -tune zerolatency -g 25 \
         -pix_fmt yuv420p -c:a aac -b:a 64k -flush_packets 1 -f mpegts -method PUT "$publish_to/live/$channel" \
         >"$scratch/push.log" 2>&1 &
  pids+=($!)
  echo "push:     ffmpeg test pattern -> $publish_to/live/$channel (pid ${pids[-1]})"
fi

echo
for url in "${edge_urls[@]}"; do
  echo "Page:     $url/ (videos; live channels only on the live edges)"
done
for url in "${live_urls[@]}"; do
  echo "Page:     $url/ (live)"
  [ -z "$push" ] || echo "Live:     $url/live/$channel/index.m3u8"
done
[ ${#live_urls[@]} -gt 0 ] || [ -z "$push" ] || echo "Live:     ${edge_urls[0]}/live/$channel/index.m3u8"
echo "Videos:   ${edge_urls[0]}/videos"
if [ -n "$seconds" ]; then
  sleep "$seconds"
else
  echo "Press Ctrl+C to stop."
  wait "${pids[@]}" || true
fi
