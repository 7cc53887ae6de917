#!/usr/bin/env bash
# Starts the registry mirror: a Distribution registry on the $AIRGAP_NETWORK
# network under the dotted alias $REGISTRY_ALIAS (the Dagger engine's
# dnsmasq does not resolve single-label names), published on 127.0.0.1 only,
# with its storage on the named volume $REGISTRY_VOLUME.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_docker

image=$LOCAL_PREFIX/registry:$DEBIAN_SUITE
inputs=$(inputs_hash infra/airgap/images/registry)
if [[ "$(image_inputs "$image")" != "$inputs" ]]; then
  log "building $image"
  run_logged build-registry docker build \
    --build-arg "BASE_IMAGE=$LOCAL_PREFIX/debian:$DEBIAN_SUITE" \
    --label "io.atlasia.airgap.inputs=$inputs" \
    -t "$image" "$AIRGAP_DIR/images/registry"
fi

docker network inspect "$AIRGAP_NETWORK" >/dev/null 2>&1 ||
  docker network create "$AIRGAP_NETWORK" >/dev/null

# Replace the container when it runs an older build of the image.
running_image=$(docker inspect -f '{{.Image}}' "$REGISTRY_CONTAINER" 2>/dev/null || true)
wanted_image=$(docker image inspect -f '{{.Id}}' "$image")
if [[ -n "$running_image" && "$running_image" != "$wanted_image" ]]; then
  log "replacing $REGISTRY_CONTAINER with the new build of $image"
  docker rm -f "$REGISTRY_CONTAINER" >/dev/null
  running_image=""
fi
if [[ -z "$running_image" ]]; then
  log "starting $REGISTRY_CONTAINER as $REGISTRY_ALIAS:$REGISTRY_PORT (published on $REGISTRY_HOST)"
  docker volume create "$REGISTRY_VOLUME" >/dev/null
  docker run -d --name "$REGISTRY_CONTAINER" \
    --restart unless-stopped \
    --network "$AIRGAP_NETWORK" --network-alias "$REGISTRY_ALIAS" \
    -p "$REGISTRY_HOST:5000" \
    -v "$REGISTRY_VOLUME:/var/lib/docker-registry" \
    "$image" >/dev/null
elif [[ "$(docker inspect -f '{{.State.Running}}' "$REGISTRY_CONTAINER")" != true ]]; then
  log "starting the stopped $REGISTRY_CONTAINER"
  docker start "$REGISTRY_CONTAINER" >/dev/null
fi

for _ in $(seq 1 40); do
  if curl -fsS "http://$REGISTRY_HOST/v2/" >/dev/null 2>&1; then
    log "registry mirror answers on $REGISTRY_HOST"
    exit 0
  fi
  sleep 0.25
done
docker logs --tail 20 "$REGISTRY_CONTAINER" >&2 || true
die "the registry mirror did not respond on http://$REGISTRY_HOST/v2/ within 10 s"
