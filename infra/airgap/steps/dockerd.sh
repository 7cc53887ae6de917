#!/usr/bin/env bash
# Installs Debian's docker.io if dockerd is missing, starts dockerd if it is
# not responding, and waits for its socket. dockerd logs to
# $AIRGAP_LOG_DIR/dockerd.log.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io, containerd, runc and iptables from Debian"
  export DEBIAN_FRONTEND=noninteractive
  run_logged apt-docker bash -c 'apt-get update && apt-get install -y --no-install-recommends docker.io containerd runc iptables'
fi

if docker info >/dev/null 2>&1; then
  log "dockerd is running"
  exit 0
fi

mkdir -p "$AIRGAP_LOG_DIR"
log "starting dockerd (log: $AIRGAP_LOG_DIR/dockerd.log)"
# setsid detaches dockerd from this script's session so that it outlives
# `make toolchain`; its restart policies bring the registry back.
setsid dockerd >>"$AIRGAP_LOG_DIR/dockerd.log" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "dockerd is ready"
    exit 0
  fi
  sleep 0.5
done
tail -n 20 "$AIRGAP_LOG_DIR/dockerd.log" >&2
die "dockerd did not respond within 30 s; see $AIRGAP_LOG_DIR/dockerd.log"
