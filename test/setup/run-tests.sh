#!/usr/bin/env bash
# `npm test`: the whole suite from a fresh clone. Installs the npm dependencies when they are
# missing, builds, prepares what the tests need (test/setup/prepare.sh) and runs mocha over unit,
# integration and end-to-end tests. Arguments go to mocha: test files (none: all of them) and flags.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/node/bin/node ]; then
  printf '\n==> npm dependencies\n' >&2
  npm ci --no-audit --no-fund
fi
# kubectl, ctr and etcdctl of the local cluster's release (test/cluster/up.sh links them there).
export PATH=$root/node_modules/.bin:${BERTH_CACHE:-$HOME/.cache/kubectl-berth}/cluster/bin:$PATH
printf '\n==> build\n' >&2
npm run build
bash test/setup/prepare.sh
printf '\n==> tests\n' >&2
# Arguments name the test files to run (mocha would add them to a spec list in .mocharc.json
# instead of replacing it); none means the whole suite.
[ $# -gt 0 ] || set -- 'dist/test/unit/**/*.test.js' 'dist/test/integration/**/*.test.js' 'dist/test/e2e/**/*.test.js'
exec mocha "$@"
