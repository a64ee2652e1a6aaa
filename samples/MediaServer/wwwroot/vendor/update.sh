#!/usr/bin/env bash
# Refreshes the page's vendored hls.js from the npm registry at the version pinned in package.json (and its lockfile).
#
#   ./update.sh                 reinstall the pinned version (npm ci) and copy dist/hls.min.js to ../hls.min.js
#   ./update.sh 1.8.0           pin another version first (updates package.json and package-lock.json), then the same
#
# The copied file is committed, so building and testing the server need no network; the lockfile's integrity hash
# says which package it came from.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ $# -gt 0 ]; then
  npm install --save-exact --package-lock-only --no-audit --no-fund "hls.js@$1"
fi
npm ci --no-audit --no-fund --ignore-scripts
cp node_modules/hls.js/dist/hls.min.js ../hls.min.js
rm -rf node_modules
echo "hls.js $(node -p "require('./package-lock.json').packages['node_modules/hls.js'].version") copied to wwwroot/hls.min.js"
