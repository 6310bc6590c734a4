#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-gateway.sh: the same upstream called
#   (a) directly,
#   (b) through the Junction gateway (/apim pass-through: caller key check,
#       one setheader policy, API-key credential injection, call record),
#   (c) through nginx as a plain reverse proxy (keep-alive to the upstream),
# each at maximum throughput (CONCURRENCY workers) and at a fixed RATE
# (default 1000 req/s), for DURATION each (default 10s), with hey.
#
# Targets (issue 6): (b) reaches >= 90% of (c)'s requests per second, and
# adds <= 1 ms p99 over (a) at 1,000 req/s.
#
# Everything runs on 127.0.0.1; every phase is bounded by DURATION.
# nginx is installed from Debian (apt-get install -y nginx) when missing and
# run in the foreground with a generated config (no systemd); hey is
# installed with go install when missing.
# Environment: RATE, DURATION, CONCURRENCY, KEEP=1 keeps the work dir.
set -euo pipefail

RATE=${RATE:-1000}
DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/junction-bench-gw.XXXXXX)
PIDS=()

cleanup() {
	for pid in "${PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "work dir kept in $WORK"; fi
}
trap cleanup EXIT

# Tools.
HEY=$(command -v hey || true)
if [ -z "$HEY" ] && [ -x "$(go env GOPATH)/bin/hey" ]; then HEY="$(go env GOPATH)/bin/hey"; fi
if [ -z "$HEY" ]; then
	echo "hey not found: installing github.com/rakyll/hey@v0.1.4 with go install" >&2
	if ! GOFLAGS= go install github.com/rakyll/hey@v0.1.4; then
		echo "error: cannot install the load generator hey; install it (go install github.com/rakyll/hey@v0.1.4) and retry" >&2
		exit 1
	fi
	HEY="$(go env GOPATH)/bin/hey"
fi
NGINX=$(command -v nginx || true)
if [ -z "$NGINX" ] && [ -x /usr/sbin/nginx ]; then NGINX=/usr/sbin/nginx; fi
if [ -z "$NGINX" ]; then
	echo "nginx not found: installing it from Debian (apt-get install -y nginx)" >&2
	if [ "$(id -u)" != 0 ] || ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }; then
		echo "error: cannot install nginx; install it (apt-get install nginx) and retry" >&2
		exit 1
	fi
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

echo "building junction and the upstream..." >&2
(cd "$ROOT" && go build -o "$WORK/junction" ./cmd/junction && go build -o "$WORK/upstream" ./internal/gateway/benchupstream)

wait_line() { # file pattern pid
	for _ in $(seq 1 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { cat "$1" >&2; return 1; }
		sleep 0.1
	done
	echo "error: timed out waiting for '$2' in $1" >&2
	return 1
}

# (a) the upstream.
"$WORK/upstream" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)
wait_line "$WORK/upstream.log" 'listening on' "${PIDS[-1]}"
UP=$(grep -o 'http://[0-9.:]*' "$WORK/upstream.log" | head -1)
UPHOST=${UP#http://}

# (b) junction serve with the connector and a connection.
JUNCTION_ADMIN_KEY="bench-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export JUNCTION_ADMIN_KEY
"$WORK/junction" serve --listen 127.0.0.1:0 --data "$WORK/data" --log-level warn \
	--rate-per-connection 0 --rate-per-key 0 2>"$WORK/server.log" &
PIDS+=($!)
wait_line "$WORK/server.log" 'listening on' "${PIDS[-1]}"
BASE=$(grep -o 'listening on http://[0-9.:]*' "$WORK/server.log" | head -1 | sed 's/listening on //')
AUTH="Authorization: Bearer $JUNCTION_ADMIN_KEY"
API_KEY="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

curl -fsS -X PUT -H "$AUTH" -H 'Content-Type: application/json' "$BASE/api/connectors/pets" --data-binary @- >/dev/null <<JSON
{"apiDefinition": {"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"},
  "host": "$UPHOST", "basePath": "/", "schemes": ["http"],
  "securityDefinitions": {"api_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
  "paths": {"/pets/{id}": {"get": {"operationId": "GetPet", "summary": "Get a pet",
    "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
    "responses": {"200": {"description": "ok"}}}}}},
 "apiProperties": {"properties": {"connectionParameters": {"api_key": {"type": "securestring",
   "uiDefinition": {"displayName": "API key", "constraints": {"required": "true"}}}},
  "policyTemplateInstances": [{"templateId": "setheader", "title": "tag", "parameters": {
   "x-ms-apimTemplateParameter.name": "X-Via", "x-ms-apimTemplateParameter.value": "junction",
   "x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request"}}]}}}
JSON
curl -fsS -X PUT -H "$AUTH" -H 'Content-Type: application/json' "$BASE/api/connections/bench" \
	-d "{\"connector\": \"pets\", \"parameters\": {\"api_key\": \"$API_KEY\"}, \"sharedWith\": [\"bench\"]}" >/dev/null
CALLER=$(curl -fsS -X POST -H "$AUTH" -H 'Content-Type: application/json' "$BASE/api/keys" -d '{"name": "bench", "role": "user"}' |
	sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
[ -n "$CALLER" ] || { echo "error: no caller key" >&2; exit 1; }

# (c) nginx, a plain reverse proxy with keep-alive to the upstream.
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    upstream pets { server $UPHOST; keepalive 128; }
    server {
        listen 127.0.0.1:0;
        location / {
            proxy_pass http://pets;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
# nginx cannot pick a free port itself: find one.
NGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$NGPORT;/" "$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' 2>"$WORK/nginx/stderr.log" &
PIDS+=($!)
for _ in $(seq 1 100); do curl -fsS -o /dev/null -H "X-Api-Key: $API_KEY" "http://127.0.0.1:$NGPORT/pets/1" 2>/dev/null && break; sleep 0.1; done

DIRECT="$UP/pets/1"
GATEWAY="$BASE/apim/pets/bench/pets/1"
PROXY="http://127.0.0.1:$NGPORT/pets/1"
curl -fsS -o /dev/null -H "X-Api-Key: $API_KEY" "$DIRECT"
curl -fsS -o /dev/null -H "Authorization: Bearer $CALLER" "$GATEWAY"
curl -fsS -o /dev/null -H "X-Api-Key: $API_KEY" "$PROXY"

run() { # out url header
	"$HEY" "${@:4}" -H "$3" "$2" >"$WORK/$1.txt"
}
echo "warming up..." >&2
run warm-a "$DIRECT" "X-Api-Key: $API_KEY" -n 3000 -c 16
run warm-b "$GATEWAY" "Authorization: Bearer $CALLER" -n 3000 -c 16
run warm-c "$PROXY" "X-Api-Key: $API_KEY" -n 3000 -c 16

workers=50
qps=$(((RATE + workers - 1) / workers))
for t in a b c; do
	case $t in a) url=$DIRECT hdr="X-Api-Key: $API_KEY" ;; b) url=$GATEWAY hdr="Authorization: Bearer $CALLER" ;; c) url=$PROXY hdr="X-Api-Key: $API_KEY" ;; esac
	echo "($t) max throughput for $DURATION (c=$CONCURRENCY)" >&2
	run "max-$t" "$url" "$hdr" -z "$DURATION" -c "$CONCURRENCY"
	echo "($t) fixed $RATE req/s for $DURATION" >&2
	run "fixed-$t" "$url" "$hdr" -z "$DURATION" -c "$workers" -q "$qps"
done

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p=" $2% in " 'index($0, p) {printf "%.2f", $3*1000}' "$1"; }
codes() { awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s ", $1, $2} /^$/ {f=0}' "$1"; }

echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: other work runs beside the benchmark)"
printf '%-26s %12s %10s %10s   %-14s %10s %10s  %s\n' "target" "max req/s" "p50 ms" "p99 ms" "fixed req/s" "p50 ms" "p99 ms" "codes (max | fixed)"
for t in a b c; do
	case $t in a) label="(a) direct" ;; b) label="(b) junction gateway" ;; c) label="(c) nginx reverse proxy" ;; esac
	printf '%-26s %12s %10s %10s   %-14s %10s %10s  %s| %s\n' "$label" \
		"$(rps "$WORK/max-$t.txt")" "$(pct "$WORK/max-$t.txt" 50)" "$(pct "$WORK/max-$t.txt" 99)" \
		"$(rps "$WORK/fixed-$t.txt")" "$(pct "$WORK/fixed-$t.txt" 50)" "$(pct "$WORK/fixed-$t.txt" 99)" \
		"$(codes "$WORK/max-$t.txt")" "$(codes "$WORK/fixed-$t.txt")"
done
b=$(rps "$WORK/max-b.txt")
c=$(rps "$WORK/max-c.txt")
pa=$(pct "$WORK/fixed-a.txt" 99)
pb=$(pct "$WORK/fixed-b.txt" 99)
awk -v b="$b" -v c="$c" -v pa="$pa" -v pb="$pb" 'BEGIN {
	printf "gateway / nginx max throughput: %.0f%% (target >= 90%%)\n", 100*b/c
	printf "gateway p99 over direct at the fixed rate: %+.2f ms (target <= 1 ms)\n", pb-pa
}'
if grep -q 'level=ERROR' "$WORK/server.log"; then
	echo "server logged errors:"; grep 'level=ERROR' "$WORK/server.log" | head -5
fi
