#!/usr/bin/env bash
# Renders an edge's configuration on stdout: deploy/edge/edge.conf.template into an nginx configuration (the default),
# or with --vcl deploy/edge/live.vcl.template into the VCL of a Varnish live edge (deploy/edge/varnish.sh runs it).
# Parameters not given keep the defaults below; origins are required. The nginx result runs with:
# nginx -p <prefix> -c <file>; the folders tmp/ and the cache dir (cache/ by default) must exist in the prefix (nginx
# creates their subfolders, not them).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: deploy/edge/render.sh --origin HOST:PORT [--origin HOST:PORT ...] [OPTIONS] > edge.conf
       deploy/edge/render.sh --vcl --origin HOST:PORT [--origin HOST:PORT ...] [OPTIONS] > live.vcl

  --origin HOST:PORT     a media server (repeat for each; the same list, in any order, on every edge)
  --listen HOST:PORT     where viewers connect (default 127.0.0.1:8081)
  --cache-dir DIR        where the caches live (default cache, relative to nginx's prefix)
  --cache-size SIZE      disk budget of the video-on-demand cache (default 10g)
  --live-cache-size SIZE disk budget of the live cache (default 1g; a few minutes of every channel is enough)
  --slice SIZE           slice of a video fetched and cached at once (default 1m; docs/benchmarks.md section 10)
  --max-fails N          failed attempts that take an origin out ... (default 1)
  --fail-timeout TIME    ... within and for this long (default 10s)
  --ingest-allow CIDR    who may PUT a live channel through this edge (default 127.0.0.1)
  --workers N            worker processes (default auto: one per core)
  --connections N        connections per worker (default 4096)
  --access-log SPEC      nginx access_log argument (default off)
  --aio MODE             off (default) or threads: cache reads on a thread pool, for a cache larger than memory on
                         slow disks; it costs every warm send a thread hop (docs/benchmarks.md section 10)

  --vcl                  render the Varnish live edge (live.vcl.template) instead; of the options above it takes
                         --origin and --ingest-allow, and these:
  --error-ttl TIME       how long a live 404 or 410 is cached (default 2s)
  --live-ttl TIME        how long a part, segment or playlist is kept at most, whatever its max-age (default 120s)
USAGE
}

here="$(dirname "${BASH_SOURCE[0]}")"
vcl= error_ttl=2s live_ttl=120s
origins=() listen=127.0.0.1:8081 cache_dir=cache cache_size=10g live_cache_size=1g slice=1m max_fails=1 fail_timeout=10s
ingest_allow=127.0.0.1 workers=auto connections=4096 access_log=off aio=off
while [ $# -gt 0 ]; do
  case "$1" in
    --origin) origins+=("$2"); shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --cache-dir) cache_dir=$2; shift 2 ;;
    --cache-size) cache_size=$2; shift 2 ;;
    --live-cache-size) live_cache_size=$2; shift 2 ;;
    --slice) slice=$2; shift 2 ;;
    --max-fails) max_fails=$2; shift 2 ;;
    --fail-timeout) fail_timeout=$2; shift 2 ;;
    --ingest-allow) ingest_allow=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --access-log) access_log=$2; shift 2 ;;
    --aio) aio=$2; shift 2 ;;
    --vcl) vcl=1; shift ;;
    --error-ttl) error_ttl=$2; shift 2 ;;
    --live-ttl) live_ttl=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "render.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$aio" in off | threads) ;; *) echo "render.sh: --aio is off or threads, not '$aio'" >&2; exit 2 ;; esac
[ ${#origins[@]} -gt 0 ] || { echo "render.sh: give at least one --origin" >&2; exit 2; }

if [ -n "$vcl" ]; then
  # Sorted, so every edge builds the same shard ring whatever order its origins were listed in. A backend is named after
  # its address (origin_10_0_0_11_8080); the ring hashes the names.
  backends= shard_add= x_origin= acl=
  while read -r origin; do
    name="origin_$(printf '%s' "$origin" | tr -c 'A-Za-z0-9' '_')"
    host=${origin%:*} port=${origin##*:}
    backends+="backend $name {\n    .host = \"$host\";\n    .port = \"$port\";\n    .probe = origin_health;\n"
    backends+="    .connect_timeout = 1s;\n    .first_byte_timeout = 10s;\n    .between_bytes_timeout = 10s;\n}\n"
    shard_add+="    origins.add_backend($name);\n"
    x_origin+="    if (beresp.backend == $name) { set beresp.http.X-Origin = \"$origin\"; }\n"
  done < <(printf '%s\n' "${origins[@]}" | sort -u)
  for cidr in ${ingest_allow//,/ }; do
    case "$cidr" in
      */*) acl+="    \"${cidr%/*}\"/${cidr#*/};\n" ;;
      *) acl+="    \"$cidr\";\n" ;;
    esac
  done
  exec sed -e "s|@BACKENDS@|${backends%\\n}|" -e "s|@SHARD_ADD@|${shard_add%\\n}|" -e "s|@X_ORIGIN@|${x_origin%\\n}|" \
      -e "s|@INGEST_ACL@|${acl%\\n}|" -e "s|@ERROR_TTL@|$error_ttl|g" -e "s|@LIVE_TTL@|$live_ttl|g" "$here/live.vcl.template"
fi

# Sorted, so every edge builds the same hash ring whatever order its origins were listed in.
servers=$(printf '%s\n' "${origins[@]}" | sort -u | while read -r origin; do
  printf '        server %s max_fails=%s fail_timeout=%s;\\n' "$origin" "$max_fails" "$fail_timeout"
done)

sed -e "s|@ORIGINS@|${servers%\\n}|" \
    -e "s|@LISTEN@|$listen|g" -e "s|@CACHE_DIR@|$cache_dir|g" -e "s|@CACHE_SIZE@|$cache_size|g" \
    -e "s|@LIVE_CACHE_SIZE@|$live_cache_size|g" -e "s|@SLICE@|$slice|g" -e "s|@MAX_FAILS@|$max_fails|g" \
    -e "s|@FAIL_TIMEOUT@|$fail_timeout|g" -e "s|@INGEST_ALLOW@|$ingest_allow|g" -e "s|@WORKERS@|$workers|g" \
    -e "s|@CONNECTIONS@|$connections|g" -e "s|@ACCESS_LOG@|$access_log|g" -e "s|@AIO@|$aio|g" \
    "$here/edge.conf.template"
