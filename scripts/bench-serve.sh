#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-serve.sh: load-test `junction serve` on loopback with a Request ->
# Compose -> Response workflow (and a Request -> Compose one without a
# Response, answered 202 once the run is durable).
#
# Measures, with vegeta and hey (installed with `go install` if missing):
#   1. a fixed rate (RATE req/s, default 1000) for DURATION (default 20s):
#      throughput and p50/p99 latency of synchronous runs, with vegeta (an
#      open loop: requests evenly spaced, each timed from when it was due);
#   2. maximum throughput of synchronous runs (CONCURRENCY workers, default 64);
#   3. maximum throughput of asynchronous runs (202 when the run is durable).
#
# Traffic goes to 127.0.0.1 only; every phase is bounded by DURATION.
# Environment: RATE, DURATION, CONCURRENCY, SYNC (NORMAL|FULL), KEEP=1 keeps the data dir.
set -euo pipefail

RATE=${RATE:-1000}
DURATION=${DURATION:-20s}
CONCURRENCY=${CONCURRENCY:-64}
SYNC=${SYNC:-NORMAL}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/junction-bench.XXXXXX)
SERVER_PID=

cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "data kept in $WORK"; fi
}
trap cleanup EXIT

. "$ROOT/scripts/bench-tools.sh"
HEY=$(go_tool hey github.com/rakyll/hey@v0.1.4)
VEGETA=$(go_tool vegeta github.com/tsenart/vegeta/v12@v12.13.0)

echo "building junction..." >&2
(cd "$ROOT" && go build -o "$WORK/junction" ./cmd/junction)

JUNCTION_ADMIN_KEY="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export JUNCTION_ADMIN_KEY
"$WORK/junction" serve --listen 127.0.0.1:0 --data "$WORK/data" --log-level warn --sync "$SYNC" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 300); do
	grep -q 'listening on' "$WORK/server.log" 2>/dev/null && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
	sleep 0.1
done
BASE=$(grep -o 'listening on http://[0-9.:]*' "$WORK/server.log" | head -1 | sed 's/listening on //')
[ -n "$BASE" ] || { echo "error: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
AUTH="Authorization: Bearer $JUNCTION_ADMIN_KEY"

deploy() { # name definition
	curl -fsS -X PUT -H "$AUTH" -H 'Content-Type: application/json' --data-binary "$2" "$BASE/api/workflows/$1" >/dev/null
}
callback() { # name
	curl -fsS -X POST -H "$AUTH" "$BASE/api/workflows/$1/triggers/manual/listCallbackUrl" |
		sed -n 's/.*"value":"\([^"]*\)".*/\1/p' | sed 's/\\u0026/\&/g'
}

deploy echo '{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"Compose": {"type": "Compose", "inputs": {"got": "@triggerBody()"}, "runAfter": {}},
  "Response": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "@outputs('"'"'Compose'"'"')"},
   "runAfter": {"Compose": ["Succeeded"]}}}}'
deploy fire '{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"Compose": {"type": "Compose", "inputs": {"got": "@triggerBody()"}, "runAfter": {}}}}'
SYNC_URL=$(callback echo)
ASYNC_URL=$(callback fire)
BODY='{"order": 42, "items": ["a", "b"]}'

summary() { # label file
	local rps p50 p99 codes
	rps=$(awk '/Requests\/sec/ {print $2}' "$2")
	p50=$(awk '/ 50% in / {print $3*1000 " ms"}' "$2")
	p99=$(awk '/ 99% in / {print $3*1000 " ms"}' "$2")
	codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s ", $1, $2} /^$/ {f=0}' "$2")
	printf '%-34s %10s req/s   p50 %-10s p99 %-10s %s\n' "$1" "$rps" "$p50" "$p99" "$codes"
}

# The machine may be shared: record the load before and after the phases.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warming up..." >&2
"$HEY" -n 2000 -c 16 -m POST -T application/json -d "$BODY" "$SYNC_URL" >/dev/null

echo "phase 1: ${RATE} req/s for $DURATION (sync Response)" >&2
printf '%s' "$BODY" >"$WORK/body.json"
echo "POST $SYNC_URL" | "$VEGETA" attack -rate "$RATE/s" -duration "$DURATION" -body "$WORK/body.json" \
	-header 'Content-Type: application/json' >"$WORK/fixed.bin"
"$VEGETA" report -type text "$WORK/fixed.bin" >"$WORK/fixed.txt"
echo "phase 2: max throughput for $DURATION (sync Response, $CONCURRENCY workers)" >&2
"$HEY" -z "$DURATION" -c "$CONCURRENCY" -m POST -T application/json -d "$BODY" "$SYNC_URL" >"$WORK/max-sync.txt"
echo "phase 3: max throughput for $DURATION (202 Accepted, $CONCURRENCY workers)" >&2
"$HEY" -z "$DURATION" -c "$CONCURRENCY" -m POST -T application/json -d "$BODY" "$ASYNC_URL" >"$WORK/max-async.txt"

echo
echo "junction serve on $(nproc) cores, load average $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end, SQLite synchronous=$SYNC"
awk -v label="fixed ${RATE} req/s (Response)" '
	function ms(v,   u) { u = v; sub(/^[0-9.]+/, "", u); sub(/[a-zµ]+$/, "", v)
		return v * ((u == "us" || u == "µs") ? 0.001 : (u == "s" ? 1000 : 1)) }
	/^Requests/ {gsub(",", ""); rps = $(NF-1)}
	/^Latencies/ {gsub(",", ""); p50 = ms($(NF-4)); p99 = ms($(NF-1))}
	/^Status Codes/ {codes = $NF}
	END {printf "%-34s %10.1f req/s   p50 %-10s p99 %-10s %s\n", label, rps, sprintf("%.2f ms", p50), sprintf("%.2f ms", p99), codes}' "$WORK/fixed.txt"
summary "max (Response, c=$CONCURRENCY)" "$WORK/max-sync.txt"
summary "max (202 Accepted, c=$CONCURRENCY)" "$WORK/max-async.txt"
latest=$(curl -fsS -H "$AUTH" "$BASE/api/workflows/echo/runs?top=1" | grep -o '"status":"[A-Za-z]*"' | head -1)
echo "latest echo run: $latest"
if grep -q 'level=ERROR' "$WORK/server.log"; then
	echo "server logged errors:"; grep 'level=ERROR' "$WORK/server.log" | head -5
fi
