#!/usr/bin/env bash
# Starts the Dagger engine as the container $ENGINE_CONTAINER on the
# $AIRGAP_NETWORK network, waits until `dagger query` returns its version, and
# writes $ENV_FILE (bin/airgap.env), which points the Dagger CLI and the Go SDK
# at it.
#
# The container is replaced when the engine image, the GOPROXY passed to Go
# SDK modules or this script change. Its cache lives on the named volume
# $ENGINE_VOLUME and survives the replacement.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_docker

command -v go >/dev/null 2>&1 || PATH=/usr/local/go/bin:$PATH

image=$LOCAL_PREFIX/dagger-engine:$DAGGER_VERSION
cli=$AIRGAP_CACHE/dagger-$DAGGER_VERSION/dagger
docker image inspect "$image" >/dev/null 2>&1 ||
  die "engine image $image is missing; run infra/airgap/steps/engine-image.sh first"
[[ -x "$cli" ]] || die "the Dagger CLI $cli is missing; run infra/airgap/steps/dagger.sh first"

# Go SDK modules run `go mod tidy` and `go build` inside the engine. Their
# module cache starts with every module the Dagger Go SDK needs, and GOPROXY
# serves the modules that a module adds. The engine passes
# _DAGGER_ENGINE_SYSTEMENV_GOPROXY to those containers as GOPROXY.
# Set AIRGAP_ENGINE_GOPROXY=off to build modules from the seeded cache only.
goproxy=${AIRGAP_ENGINE_GOPROXY:-$(go env GOPROXY 2>/dev/null || echo https://proxy.golang.org,direct)}

# The engine gets no extra CA certificates, although a proxy here may
# intercept HTTPS. An engine that has them installs them into every container
# it runs with the container's update-ca-certificates. That fails the exec in
# hardened images, which keep ca-certificates but have no shell. Only the Go
# SDK runtime downloads over HTTPS, and its image trusts them
# (steps/engine-image.sh).

image_id=$(docker image inspect -f '{{.Id}}' "$image")
# The container's key covers this script too, so changed `docker create`
# flags also replace it.
config=$(
  {
    echo "$image_id"
    echo "$goproxy"
    sha256sum "$AIRGAP_DIR/steps/engine.sh" | cut -d' ' -f1
  } | sha256sum | cut -c1-16
)

current_config=$(docker inspect -f '{{index .Config.Labels "io.atlasia.airgap.inputs"}}' "$ENGINE_CONTAINER" 2>/dev/null || true)
if docker inspect "$ENGINE_CONTAINER" >/dev/null 2>&1 && [[ "$current_config" != "$config" ]]; then
  log "replacing $ENGINE_CONTAINER: its image, GOPROXY or this script changed"
  previous_image_id=$(docker inspect -f '{{.Image}}' "$ENGINE_CONTAINER")
  docker rm -f "$ENGINE_CONTAINER" >/dev/null
  # A rebuild by steps/engine-image.sh leaves the previous engine image
  # untagged, and no container uses it any more.
  if [[ "$previous_image_id" != "$image_id" &&
    "$(docker image inspect -f '{{len .RepoTags}}' "$previous_image_id" 2>/dev/null)" == 0 ]]; then
    docker rmi "$previous_image_id" >/dev/null 2>&1 || true
  fi
fi

docker network inspect "$AIRGAP_NETWORK" >/dev/null 2>&1 ||
  docker network create "$AIRGAP_NETWORK" >/dev/null

if ! docker inspect "$ENGINE_CONTAINER" >/dev/null 2>&1; then
  log "starting $ENGINE_CONTAINER from $image (state volume $ENGINE_VOLUME)"
  docker volume create "$ENGINE_VOLUME" >/dev/null
  # The engine needs the rights of `docker run --privileged`, which fails on
  # hosts whose capability bounding set lacks CAP_SYS_RESOURCE. These flags
  # grant the parts of them that the engine uses, without that capability.
  docker create --name "$ENGINE_CONTAINER" \
    --label "io.atlasia.airgap.inputs=$config" \
    --restart unless-stopped \
    --network "$AIRGAP_NETWORK" \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined \
    --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined \
    --device-cgroup-rule 'a *:* rwm' \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    -v "$ENGINE_VOLUME:/var/lib/dagger" \
    -e "_DAGGER_ENGINE_SYSTEMENV_GOPROXY=$goproxy" \
    "$image" >/dev/null
  docker start "$ENGINE_CONTAINER" >/dev/null
elif [[ "$(docker inspect -f '{{.State.Running}}' "$ENGINE_CONTAINER")" != true ]]; then
  log "starting the stopped $ENGINE_CONTAINER"
  docker start "$ENGINE_CONTAINER" >/dev/null
fi

# The environment file is written next to its final path and moved there once
# a query through it succeeds. When the engine does not respond in time, the
# step removes the file, so no environment points at a dead engine.
mkdir -p "$(dirname "$ENV_FILE")"
new_env_file=$ENV_FILE.new
query_errors=$(mktemp)
trap 'rm -f "$new_env_file" "$query_errors"' EXIT
cat >"$new_env_file" <<EOF
# Written by infra/airgap/steps/engine.sh. Source it (bash or POSIX sh) to use
# the local Dagger engine $DAGGER_VERSION with the dagger CLI and the Go SDK.

# Connect to the engine container through \`docker exec\`, not to an engine
# that the CLI would pull from registry.dagger.io and start itself.
export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://$ENGINE_CONTAINER
# The Go SDK (dagger.io/dagger) runs this CLI. Without it, the SDK downloads a
# CLI from dl.dagger.io.
export _EXPERIMENTAL_DAGGER_CLI_BIN=$cli
# Hide the "Setup tracing at https://dagger.cloud" hint.
export DAGGER_NO_NAG=1
# Turn off the CLI's usage analytics, which it posts to api.dagger.cloud.
export DO_NOT_TRACK=1
# Without a Dagger Cloud token and with no ~/.config/dagger/credentials.json,
# the CLI sends no traces, logs or cache requests to Dagger Cloud.
unset DAGGER_CLOUD_TOKEN
# NOTE: Dagger $DAGGER_VERSION has no switch for its update check. Every
# command except \`dagger version\` looks up registry.dagger.io/engine:latest
# in the background and ignores the failure.
case ":\$PATH:" in
  *":$REPO_ROOT/bin:"*) ;;
  *) export PATH="$REPO_ROOT/bin:\$PATH" ;;
esac
EOF

# A started engine sets up its network and loads its cache before it
# responds, which takes longer with a large cache on the volume.
deadline=$((SECONDS + 120))
while true; do
  # shellcheck source=/dev/null
  if answer=$( (source "$new_env_file" && dagger query <<<'{ version }') 2>"$query_errors") &&
    [[ "$answer" == *"\"$DAGGER_VERSION\""* ]]; then
    break
  fi
  if ((SECONDS >= deadline)); then
    rm -f "$ENV_FILE"
    printf '%s\n' "$answer" >&2
    tail -n 20 "$query_errors" >&2
    docker logs --tail 30 "$ENGINE_CONTAINER" >&2 || true
    die "timed out after 120 s waiting for the Dagger engine in $ENGINE_CONTAINER to return version $DAGGER_VERSION; see 'docker logs $ENGINE_CONTAINER'"
  fi
  sleep 1
done
mv "$new_env_file" "$ENV_FILE"
log "Dagger engine $DAGGER_VERSION is ready in $ENGINE_CONTAINER; environment: source $ENV_FILE"
