# shellcheck shell=bash
# Shared helpers for the air-gapped toolchain scripts. Source it; do not run it.

AIRGAP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$AIRGAP_DIR/../.." && pwd)
# shellcheck source=versions.env
source "$AIRGAP_DIR/versions.env"

# Build outputs live outside the checkout so that every clone on this machine
# (and CI's fresh clone) reuses them. Override with AIRGAP_CACHE.
AIRGAP_CACHE=${AIRGAP_CACHE:-/var/cache/atlasia-airgap}
AIRGAP_LOG_DIR=${AIRGAP_LOG_DIR:-$AIRGAP_CACHE/logs}
REGISTRY_HOST=127.0.0.1:$REGISTRY_PORT
ENV_FILE=$REPO_ROOT/bin/airgap.env

log() { printf '[airgap %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# run_logged NAME CMD...: runs CMD with its output in $AIRGAP_LOG_DIR/NAME.log
# and prints the log's tail when CMD fails.
run_logged() {
  local name=$1
  shift
  mkdir -p "$AIRGAP_LOG_DIR"
  local file=$AIRGAP_LOG_DIR/$name.log
  if ! "$@" >"$file" 2>&1; then
    log "'$name' failed; last lines of $file:"
    tail -n 30 "$file" >&2
    return 1
  fi
}

# inputs_hash PATH...: prints a SHA-256 over the contents and names of the
# given files and directories plus versions.env, so that a change to any
# input of a build changes its key.
inputs_hash() {
  (
    cd "$REPO_ROOT"
    {
      cat "$AIRGAP_DIR/versions.env"
      find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    } | sha256sum | cut -c1-16
  )
}

# image_inputs IMAGE: prints the inputs label of a local image, or nothing.
image_inputs() {
  docker image inspect -f '{{index .Config.Labels "io.atlasia.airgap.inputs"}}' "$1" 2>/dev/null || true
}

require_docker() {
  docker info >/dev/null 2>&1 || die "dockerd is not running; run 'make toolchain' (or infra/airgap/steps/dockerd.sh) first"
}
