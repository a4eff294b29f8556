#!/usr/bin/env bash
# CI's Node 24 smoke pass: the compiled build, installed as the Docker image installs it (production
# dependencies only, dist/ and the migrations, no sources), on Node 24 LTS from the npm registry's
# `node` package: `reminders start` serves /healthz and one triggered sweep succeeds. The full test
# suite runs on the machine's Node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
id="smoke$$"
db="reminders_${id}"
prefix="${id}"
redis_url="redis://127.0.0.1:6379/12"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"${db}\" WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$redis_url" --scan --pattern "${prefix}:*" | xargs -r redis-cli -u "$redis_url" del >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

node "$root/scripts/build.js"
cd "$root"
for f in package.json package-lock.json apps/*/package.json packages/*/package.json; do
  mkdir -p "$work/$(dirname "$f")" && cp "$f" "$work/$f"
done
cp -r apps/cli/bin "$work/apps/cli/bin"
mkdir -p "$work/prisma" && cp -r prisma/migrations "$work/prisma/migrations"
cp -r dist "$work/dist"
(cd "$work" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

node24="$(npx -y -p node@24 which node)"
echo "smoke pass on $("$node24" --version), production dependencies only"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${db}" REDIS_URL="$redis_url" REDIS_PREFIX="$prefix" PORT="$port" NODE_ENV=production LOG_LEVEL=warn
cd "$work"
"$node24" --enable-source-maps dist/reminders.js start &
pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:${port}/healthz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:${port}/healthz"
echo
curl -sf "http://127.0.0.1:${port}/readyz"
echo
"$node24" dist/reminders.js trigger --wait --timeout 60 --actor ci-smoke | tee "$work/trigger.out"
grep -q "succeeded" "$work/trigger.out"
echo "Node 24 smoke pass: ok"
