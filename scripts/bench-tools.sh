# SPDX-License-Identifier: Apache-2.0
#
# bench-tools.sh: sourced by the benchmark scripts to find their load
# generators and servers, installing what is missing with a clear message.

# go_tool NAME MODULE@VERSION prints the path of the Go command NAME,
# installing MODULE@VERSION with go install when it is missing.
go_tool() {
	local c
	c=$(command -v "$1" || true)
	if [ -z "$c" ] && [ -x "$(go env GOPATH)/bin/$1" ]; then c="$(go env GOPATH)/bin/$1"; fi
	if [ -z "$c" ]; then
		echo "$1 not found: installing $2 with go install" >&2
		if ! GOFLAGS= go install "$2" >&2; then
			echo "error: cannot install $1; install it (go install $2) and retry" >&2
			exit 1
		fi
		c="$(go env GOPATH)/bin/$1"
	fi
	echo "$c"
}

# apt_tool COMMAND PACKAGE prints the path of COMMAND, installing the
# Debian PACKAGE when it is missing (which needs root).
apt_tool() {
	local c
	c=$(command -v "$1" || true)
	if [ -z "$c" ] && [ -x "/usr/sbin/$1" ]; then c="/usr/sbin/$1"; fi
	if [ -z "$c" ]; then
		echo "$1 not found: installing it from Debian (apt-get install -y $2)" >&2
		if [ "$(id -u)" != 0 ] || ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; then
			echo "error: cannot install $1; install it (apt-get install $2) and retry" >&2
			exit 1
		fi
		c=$(command -v "$1" || echo "/usr/sbin/$1")
	fi
	echo "$c"
}
