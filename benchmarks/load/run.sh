#!/usr/bin/env bash
# Load comparison entry point (./build.sh load): installs wrk and nginx when missing, then runs run.py.
set -euo pipefail
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq wrk nginx-light >/dev/null
fi
exec python3 "$(dirname "${BASH_SOURCE[0]}")/run.py" "$@"
