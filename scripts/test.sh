#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test.sh [go test flags] — the project's test command (README, make test,
# .ci/run): starts the real servers the integration tests use on loopback
# (installing them if missing; needs root and apt-get), then runs
# `go test ./...` with their addresses in the environment.
#
# Without root, or with NO_SERVERS=1, it runs `go test ./...` alone: tests
# that need a server skip and say how to start it (they fail instead when
# CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null 2>&1 || { echo "test: 'go' is not installed; install Go 1.26 or newer and put it on PATH" >&2; exit 1; }

if [ "${NO_SERVERS:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	start=$(date +%s)
	scripts/test-servers.sh start
	[ "${KEEP_SERVERS:-0}" = 1 ] || trap 'scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT
	eval "$(scripts/test-servers.sh env)"
	echo "test: servers up in $(($(date +%s) - start)) s" >&2
elif [ "${NO_SERVERS:-0}" != 1 ]; then
	echo "test: not root or no apt-get: running without the test servers; integration tests will skip" >&2
fi

go test "$@" ./...
