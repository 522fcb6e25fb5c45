#!/usr/bin/env bash
# The README's test command (after `npm install`): build, type check, lint, then every test suite on Node 24.
# Ends with one summary line "tests: N passed, N failed, N skipped" that CI reads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(bash scripts/node24.sh)"
export PATH="$bin:$PATH"
echo "node $(node --version) from $bin"

npm run --silent build
npm run --silent typecheck
npm run --silent lint

# The real n8n the end-to-end suites run in (installed once into .cache; minutes on the first run), and
# Debian's chromium for the dashboard browser test (apt, first run only).
npx tsx scripts/n8n/install.ts
bash scripts/ensure-chromium.sh

mkdir -p artifacts
status=0
npx jest --ci --json --outputFile=artifacts/jest-results.json "$@" || status=$?
node -e '
const r = require("./artifacts/jest-results.json");
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) console.log(`(${r.numFailedTestSuites} test suite(s) failed to run)`);
'
exit $status
