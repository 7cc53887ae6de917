#!/bin/bash
# Container health check of the frontend: GET /healthz from nginx on
# 127.0.0.1:8080 and exit 0 when the status is 200.
#
# The image has no curl or wget, and installing curl would add libcurl and
# its dependencies to the scanned packages only for this check. Bash, which
# every Debian image contains, can open TCP connections through /dev/tcp.
# NOTE: this check stops working if a hardening step removes bash.
set -eu

port=${1:-8080}

exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3

# Docker's HEALTHCHECK --timeout also bounds the whole check.
IFS=' ' read -r -t 3 protocol status _ <&3
exec 3<&-

if [ "$status" != 200 ]; then
	echo "frontend healthcheck: GET /healthz on port $port returned ${protocol:-nothing} ${status:-}, expected 200" >&2
	exit 1
fi
