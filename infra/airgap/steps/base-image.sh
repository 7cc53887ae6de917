#!/usr/bin/env bash
# Builds the Debian base image with debootstrap (minbase variant) and imports
# it as $LOCAL_PREFIX/debian:$DEBIAN_SUITE. Every other image of the
# toolchain, and the platform's images, start from it.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_docker

image=$LOCAL_PREFIX/debian:$DEBIAN_SUITE
if docker image inspect "$image" >/dev/null 2>&1; then
  log "base image $image is present"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  run_logged apt-debootstrap bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap'
fi

rootfs=$(mktemp -d "$AIRGAP_CACHE/debootstrap.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
log "debootstrap $DEBIAN_SUITE (minbase) from $DEBIAN_MIRROR"
run_logged debootstrap debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR"

# Leave no apt lists or caches in the base, as Debian's official images do.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
log "importing $image"
tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --message "Debian $DEBIAN_SUITE minbase, debootstrap from $DEBIAN_MIRROR" \
  - "$image" >/dev/null
log "base image $image built"
