#!/usr/bin/env bash
# Smoke test of the package as a consumer gets it, after `npm run build`:
#   1. `npm pack`, then install the tarball and its peers (fp-ts, io-ts at the versions in package-lock.json)
#      into a scratch project under a temp dir, from the npm registry;
#   2. check the library entries carry no Node built-ins (scripts/smoke/no-node-builtins.mjs);
#   3. under plain Node, `import` (ESM) and `require` (CJS) every subpath in `exports` (except ./package.json),
#      drive createAccount + decodeEvent + step on a fill through both, and require identical results
#      (scripts/smoke/exercise.cjs); Node's real resolver is what catches a deep import such as `fp-ts/Either`,
#      which bundlers, vitest and attw all accept;
#   4. type-check a TypeScript ESM and CJS consumer (module nodenext) against the published .d.ts;
#   5. run the installed bin: `npx futures-vouchers replay examples/session.json` exits 0, a malformed file 2;
#   6. copy examples/ into the scratch project and run each examples/*.mjs there against the installed package:
#      each must exit 0 (an example may import only the package, its peers and Node built-ins).
# SMOKE_KEEP=1 keeps the scratch directory for a look afterwards.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
name=$(node -p 'require("./package.json").name')
work=$(mktemp -d "${TMPDIR:-/tmp}/${name}-smoke.XXXXXX")
if [ -n "${SMOKE_KEEP:-}" ]; then echo "smoke: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
app="$work/app"
mkdir "$app"
log() { echo "smoke: $*"; }
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

[ -f dist/index.js ] || fail "dist/ is missing: run npm run build first"

log "packing"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
[ -f "$work/$tarball" ] || fail "npm pack did not produce $tarball"

# The peers at the exact versions the lockfile pins, so the check is reproducible. The package's own
# dependencies (big.js) resolve from its declared ranges, as they would for a consumer.
peers=$(node -e '
  const pkg = require("./package.json"), lock = require("./package-lock.json");
  for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
    const entry = lock.packages["node_modules/" + peer];
    if (entry === undefined) { console.error(`smoke: peer ${peer} is not in package-lock.json`); process.exit(1); }
    console.log(`${peer}@${entry.version}`);
  }')
log "installing $tarball with ${peers//$'\n'/ }"
cp scripts/smoke/* "$app/"
echo '{ "name": "smoke-consumer", "version": "0.0.0", "private": true }' > "$app/package.json"
# shellcheck disable=SC2086 # one word per peer
(cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error "$work/$tarball" $peers)
installed="$app/node_modules/$name"
[ -d "$installed" ] && [ ! -L "$installed" ] || fail "$name was not installed from the tarball"

log "library entries: no Node built-ins"
node "$app/no-node-builtins.mjs" "$installed" || fail "a library entry uses Node built-ins"

log "import (ESM) and require (CJS) of every export"
(cd "$app" && node import.mjs "$name" > esm.json) || fail "the ESM consumer failed"
(cd "$app" && node require.cjs "$name" > cjs.json) || fail "the CJS consumer failed"
cmp -s "$app/esm.json" "$app/cjs.json" || { diff "$app/esm.json" "$app/cjs.json" >&2 || true; fail "ESM and CJS builds differ"; }
node -e 'const r = require(process.argv[1]); console.log(`smoke: exports ${Object.keys(r.exports).join(", ")}: same names and the same ${r.engine.effects.length} effect(s) from a fill in both formats`)' "$app/esm.json"

log "TypeScript consumers (nodenext, ESM and CJS)"
node "$root/node_modules/typescript/bin/tsc" -p "$app/tsconfig.json" || fail "the TypeScript consumers do not compile"

log "bin: npx $name replay"
cp -R examples "$app/examples"
(cd "$app" && npx --no -- "$name" replay examples/session.json > replay.json) || fail "npx $name replay examples/session.json exited $?"
node -e 'const r = require(process.argv[1]); if (!(r.effects.length > 0 && r.state)) process.exit(1)' "$app/replay.json" ||
  fail "the replay printed no effects or no state"
echo '{ "account": { "accountId": "a", "accountType": "main", "positionMode": "hedge", "ownBalance": 1000 }, "events": [] }' > "$app/malformed.json"
status=0
(cd "$app" && npx --no -- "$name" replay malformed.json > /dev/null 2> malformed.err) || status=$?
[ "$status" -eq 2 ] || fail "a malformed scenario gave exit status $status, not 2"
grep -q 'account.ownBalance' "$app/malformed.err" || fail "the decode error does not name account.ownBalance: $(cat "$app/malformed.err")"

shopt -s nullglob
examples=("$app"/examples/*.mjs)
[ "${#examples[@]}" -gt 0 ] || fail "no examples/*.mjs"
for example in "${examples[@]}"; do
  log "example ${example#"$app/"}"
  (cd "$app" && node "$example" > "$example.log" 2>&1) || { cat "$example.log" >&2; fail "${example#"$app/"} exited non-zero"; }
done
log "ok"
