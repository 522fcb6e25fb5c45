#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH (see node24.sh); npm/npx keep working through the system npm.
set -euo pipefail
bin="$(bash "$(dirname "${BASH_SOURCE[0]}")/node24.sh")"
export PATH="$bin:$PATH"
exec "$@"
