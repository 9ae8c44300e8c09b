#!/usr/bin/env bash
# `npm test`: the whole suite from a fresh clone. Installs the npm dependencies when they are
# missing, builds, prepares what the tests need (test/setup/prepare.sh) and runs mocha over unit,
# integration and end-to-end tests. Extra arguments go to mocha.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/node/bin/node ]; then
  printf '\n==> npm dependencies\n' >&2
  npm ci --no-audit --no-fund
fi
export PATH=$root/node_modules/.bin:$PATH
printf '\n==> build\n' >&2
npm run build
bash test/setup/prepare.sh
printf '\n==> tests\n' >&2
exec mocha "$@"
