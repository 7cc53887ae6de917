#!/bin/sh
# Starts dockerd with the given arguments. Arguments that start with "-" are
# dockerd flags; anything else runs as a command (for example `docker info`).
set -eu
case "${1:-}" in
  -*) ;;
  "") set -- --host=unix:///var/run/docker.sock ;;
  *) exec "$@" ;;
esac

# dockerd needs a writable /run and the securityfs that runc expects; both are
# present when the container runs with the capabilities of a dind service.
mkdir -p /run/docker
if [ -d /sys/kernel/security ] && ! mountpoint -q /sys/kernel/security; then
  mount -t securityfs none /sys/kernel/security 2>/dev/null || true
fi
exec dockerd "$@"
