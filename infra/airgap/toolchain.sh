#!/usr/bin/env bash
# Sets up, reports on, stops or removes the air-gapped toolchain: dockerd, a
# Debian base image, a registry mirror seeded with the images the pipeline
# pulls, a fixture Trivy DB, and a Dagger engine built from Go modules.
#
#   toolchain.sh up      set up everything; a second run only checks
#   toolchain.sh status  print the state of each part
#   toolchain.sh down    stop the engine and the mirror; keep images and caches
#   toolchain.sh clean   remove every container, volume, image and cache it made
set -euo pipefail
source "$(dirname "$0")/lib.sh"

steps=(dockerd base-image registry images trivy-db dagger engine-image engine)

up() {
  local started=$SECONDS step step_started
  for step in "${steps[@]}"; do
    step_started=$SECONDS
    log "step $step"
    bash "$AIRGAP_DIR/steps/$step.sh"
    log "step $step done in $((SECONDS - step_started)) s"
  done
  log "toolchain ready in $((SECONDS - started)) s; environment: source $ENV_FILE"
}

status() {
  local failed=0
  if docker info >/dev/null 2>&1; then
    echo "dockerd:  running ($(docker version -f '{{.Server.Version}}'))"
  else
    echo "dockerd:  not running"
    return 1
  fi
  local container
  for container in "$REGISTRY_CONTAINER" "$ENGINE_CONTAINER"; do
    printf '%-9s %s\n' "${container##*-}:" \
      "$(docker inspect -f '{{.Name}} {{.State.Status}} ({{.Config.Image}})' "$container" 2>/dev/null || echo "$container missing")"
  done
  if curl -fsS "http://$REGISTRY_HOST/v2/_catalog" >/dev/null 2>&1; then
    echo "mirror:   http://$REGISTRY_HOST"
    local repo
    for repo in $(curl -fsS "http://$REGISTRY_HOST/v2/_catalog" | tr -d '{}[]"' | sed 's/^repositories://' | tr ',' ' '); do
      echo "  $repo: $(curl -fsS "http://$REGISTRY_HOST/v2/$repo/tags/list" | sed 's/.*"tags":\[\(.*\)\].*/\1/' | tr -d '"')"
    done
  else
    echo "mirror:   not answering on $REGISTRY_HOST"
    failed=1
  fi
  if [[ -f $ENV_FILE ]]; then
    echo "env file: $ENV_FILE"
    local version
    # The CLI waits without end for an engine container that is stopped,
    # so it is only asked when the container runs, and for 30 s at most.
    # shellcheck source=/dev/null
    if [[ $(docker inspect -f '{{.State.Running}}' "$ENGINE_CONTAINER" 2>/dev/null) != true ]]; then
      echo "query:    the engine is not running (run make toolchain)"
      failed=1
    elif version=$(source "$ENV_FILE" && timeout 30 dagger query <<<'{ version }' 2>/dev/null); then
      echo "query:    the engine answers ($(tr -d ' \n' <<<"$version"))"
    else
      echo "query:    the engine did not answer within 30 s"
      failed=1
    fi
  else
    echo "env file: missing (run make toolchain)"
    failed=1
  fi
  return "$failed"
}

down() {
  require_docker
  local container
  for container in "$ENGINE_CONTAINER" "$REGISTRY_CONTAINER"; do
    if docker inspect "$container" >/dev/null 2>&1; then
      log "stopping $container"
      docker stop "$container" >/dev/null
    fi
  done
}

clean() {
  require_docker
  log "removing containers, volumes, the network and images made by the toolchain"
  docker rm -f "$ENGINE_CONTAINER" "$REGISTRY_CONTAINER" >/dev/null 2>&1 || true
  docker volume rm "$ENGINE_VOLUME" "$REGISTRY_VOLUME" >/dev/null 2>&1 || true
  docker network rm "$AIRGAP_NETWORK" >/dev/null 2>&1 || true
  local images
  images=$(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -E "^($LOCAL_PREFIX/|$REGISTRY_HOST/)" || true)
  if [[ -n $images ]]; then
    # shellcheck disable=SC2086 # one image reference a word
    docker rmi -f $images >/dev/null
  fi
  log "removing $AIRGAP_CACHE and $REPO_ROOT/bin"
  rm -rf "${AIRGAP_CACHE:?}" "${REPO_ROOT:?}/bin"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  clean) clean ;;
  *)
    echo "usage: $0 up|status|down|clean" >&2
    exit 2
    ;;
esac
