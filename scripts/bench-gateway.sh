#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-gateway.sh: the same upstream called
#   (a) directly,
#   (b) through the Junction gateway (/apim pass-through: caller key check,
#       one setheader policy, API-key credential injection, call record),
#   (c) through nginx as a plain reverse proxy (keep-alive to the upstream),
#   (d) through the floor: the least a Go reverse proxy does (a net/http
#       server and the gateway's transport, nothing else; benchupstream
#       -proxy), which tells what is the pipeline's and what is net/http's,
# each at maximum throughput (wrk, CONCURRENCY connections) and at a fixed
# RATE (default 1000 req/s, vegeta: an open-loop constant rate, requests
# evenly spaced), for DURATION each (default 10s).
#
# Targets (issue 6): (b) reaches >= 90% of (c)'s requests per second, and
# adds <= 1 ms p99 over (a) at 1,000 req/s.
#
# Everything runs on 127.0.0.1, load generators included (on a 2-core
# machine they take a share of the cores the servers run on); every phase
# is bounded by DURATION. nginx and wrk are installed from Debian
# (apt-get install -y nginx wrk) when missing, nginx run in the foreground
# with a generated config (no systemd); vegeta is installed with go
# install when missing.
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
. "$ROOT/scripts/bench-tools.sh"
NGINX=$(apt_tool nginx nginx)
WRK=$(apt_tool wrk wrk)
VEGETA=$(go_tool vegeta github.com/tsenart/vegeta/v12@v12.13.0)

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

# (d) the floor: a minimal Go reverse proxy.
"$WORK/upstream" -proxy "$UPHOST" >"$WORK/floor.log" 2>&1 &
PIDS+=($!)
wait_line "$WORK/floor.log" 'listening on' "${PIDS[-1]}"
FLOOR=$(grep -o 'http://[0-9.:]*' "$WORK/floor.log" | head -1)

DIRECT="$UP/pets/1"
GATEWAY="$BASE/apim/pets/bench/pets/1"
PROXY="http://127.0.0.1:$NGPORT/pets/1"
FLOORURL="$FLOOR/pets/1"
target() { # t -> url and hdr
	case $1 in
	a) url=$DIRECT hdr="X-Api-Key: $API_KEY" label="(a) direct" ;;
	b) url=$GATEWAY hdr="Authorization: Bearer $CALLER" label="(b) junction gateway" ;;
	c) url=$PROXY hdr="X-Api-Key: $API_KEY" label="(c) nginx reverse proxy" ;;
	d) url=$FLOORURL hdr="X-Api-Key: $API_KEY" label="(d) floor: minimal Go proxy" ;;
	esac
}
for t in a b c d; do
	target $t
	curl -fsS -o /dev/null -H "$hdr" "$url"
done

echo "warming up..." >&2
for t in a b c d; do
	target $t
	"$WRK" -t2 -c16 -d2s -H "$hdr" "$url" >/dev/null
done

for t in a b c d; do
	target $t
	echo "$label: max throughput for $DURATION ($CONCURRENCY connections)" >&2
	"$WRK" -t2 -c"$CONCURRENCY" -d"$DURATION" --latency -H "$hdr" "$url" >"$WORK/max-$t.txt"
	echo "$label: $RATE req/s for $DURATION" >&2
	echo "GET $url" | "$VEGETA" attack -rate "$RATE/s" -duration "$DURATION" -header "$hdr" >"$WORK/fixed-$t.bin"
	"$VEGETA" report -type text "$WORK/fixed-$t.bin" >"$WORK/fixed-$t.txt"
done

# wrk and vegeta print durations with units: in ms.
ms() { awk '{v=$1; u=v; sub(/^[0-9.]+/, "", u); sub(/[a-zµ]+$/, "", v)
	f = (u == "us" || u == "µs") ? 0.001 : (u == "ms" ? 1 : (u == "s" ? 1000 : (u == "ns" ? 0.000001 : 1)))
	printf "%.2f", v*f }'; }
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/max-$1.txt"; }
wrkpct() { awk -v p="$2%" '$1 == p {print $2}' "$WORK/max-$1.txt" | ms; }
errs() { awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/max-$1.txt"; }
vrate() { awk '/^Requests/ {gsub(",", ""); printf "%.0f", $(NF-1)}' "$WORK/fixed-$1.txt"; }
vpct() { # t column (50 or 99) from "Latencies [min, mean, 50, 90, 95, 99, max] ..."
	awk -v c="$2" '/^Latencies/ {gsub(",", ""); n = (c == 50) ? NF-4 : NF-1; print $n}' "$WORK/fixed-$1.txt" | ms; }
vcodes() { awk '/^Status Codes/ {print $NF}' "$WORK/fixed-$1.txt"; }

echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c$CONCURRENCY, vegeta at $RATE/s; $DURATION each"
printf '%-30s %10s %8s %8s   %10s %8s %8s  %s\n' "target" "max req/s" "p50 ms" "p99 ms" "fixed req/s" "p50 ms" "p99 ms" "codes at the fixed rate; errors at max"
for t in a b c d; do
	target $t
	printf '%-30s %10s %8s %8s   %10s %8s %8s  %s %s\n' "$label" "$(rps $t)" "$(wrkpct $t 50)" "$(wrkpct $t 99)" \
		"$(vrate $t)" "$(vpct $t 50)" "$(vpct $t 99)" "$(vcodes $t)" "$(errs $t)"
done
awk -v b="$(rps b)" -v c="$(rps c)" -v d="$(rps d)" -v pa="$(vpct a 99)" -v pb="$(vpct b 99)" -v pd="$(vpct d 99)" 'BEGIN {
	printf "gateway / nginx max throughput: %.0f%% (target >= 90%%); floor / nginx: %.0f%%; gateway / floor: %.0f%%\n", 100*b/c, 100*d/c, 100*b/d
	printf "p99 over direct at the fixed rate: gateway %+.2f ms (target <= 1 ms), floor %+.2f ms\n", pb-pa, pd-pa
}'
if grep -q 'level=ERROR' "$WORK/server.log"; then
	echo "server logged errors:"; grep 'level=ERROR' "$WORK/server.log" | head -5
fi
