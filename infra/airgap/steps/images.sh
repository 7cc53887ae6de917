#!/usr/bin/env bash
# Builds the images the pipeline pulls and seeds the registry mirror with them,
# under the names the pipeline pins (the engine maps docker.io to the mirror):
#   library/debian:$DEBIAN_SUITE                           the debootstrap base
#   library/golang:$GO_VERSION-$DEBIAN_SUITE               Go builder
#   aquasec/trivy:$TRIVY_VERSION                           Trivy built from its Go module
#   library/docker:<docker.io version>-dind-$DEBIAN_SUITE  Docker-in-Docker with compose
# Binaries are built once into $AIRGAP_CACHE and reused; an image is rebuilt
# only when its inputs change, and pushed only when the mirror lacks it.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_docker

base=$LOCAL_PREFIX/debian:$DEBIAN_SUITE
contexts=$AIRGAP_CACHE/contexts

# build_trivy: go install of Trivy's module into $AIRGAP_CACHE/trivy-$TRIVY_VERSION.
build_trivy() {
  local dir=$AIRGAP_CACHE/trivy-$TRIVY_VERSION
  if [[ -x $dir/trivy ]]; then
    return 0
  fi
  log "building trivy $TRIVY_VERSION from its Go module (about 6 minutes cold)"
  mkdir -p "$dir"
  # Trivy imports encoding/json/v2, which Go 1.26 builds only with GOEXPERIMENT=jsonv2.
  run_logged build-trivy env GOBIN="$dir" GOEXPERIMENT=jsonv2 CGO_ENABLED=0 GOFLAGS='' \
    go install -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=$TRIVY_VERSION" \
    "github.com/aquasecurity/trivy/cmd/trivy@v$TRIVY_VERSION"
}

# build_compose: Docker Compose's go.mod has exclude directives, so
# `go install module@version` is refused: build ./cmd in a writable copy.
build_compose() {
  local dir=$AIRGAP_CACHE/compose-$COMPOSE_VERSION
  if [[ -x $dir/docker-compose ]]; then
    return 0
  fi
  log "building docker compose $COMPOSE_VERSION from its Go module"
  local module=github.com/docker/compose/v2 src
  src=$(GOFLAGS='' go mod download -json "$module@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d $src ]] || die "go mod download $module@$COMPOSE_VERSION gave no module directory"
  rm -rf "$dir/src"
  mkdir -p "$dir"
  cp -r "$src" "$dir/src"
  chmod -R u+w "$dir/src"
  (cd "$dir/src" && run_logged build-compose env CGO_ENABLED=0 GOFLAGS=-mod=mod \
    go build -trimpath -ldflags "-s -w -X $module/internal.Version=$COMPOSE_VERSION" \
    -o "$dir/docker-compose" ./cmd)
  rm -rf "$dir/src"
}

# build_image NAME KEY FILE... [-- BUILD_ARG...]: builds $LOCAL_PREFIX/NAME
# from infra/airgap/images/<NAME without its tag> plus the FILEs, unless an
# image with the same inputs exists. KEY identifies the FILEs (a version or a
# checksum), so unchanged inputs are recognised without copying them.
build_image() {
  local name=$1 key=$2
  shift 2
  local files=()
  while [[ $# -gt 0 && $1 != -- ]]; do
    files+=("$1")
    shift
  done
  [[ $# -eq 0 ]] || shift
  local build_args=("$@")

  local image=$LOCAL_PREFIX/$name dir=${name%%:*} inputs
  inputs=$( {
    inputs_hash "infra/airgap/images/$dir"
    printf '%s\n' "$key" "${build_args[@]}"
    docker image inspect -f '{{.Id}}' "$base"
  } | sha256sum | cut -c1-16)
  if [[ "$(image_inputs "$image")" == "$inputs" ]]; then
    log "image $image is up to date"
    return 0
  fi

  log "building image $image"
  local context=$contexts/$dir
  rm -rf "$context"
  mkdir -p "$context"
  cp -a "$AIRGAP_DIR/images/$dir/." "$context/"
  local file arg args=(--build-arg "BASE_IMAGE=$base" --label "io.atlasia.airgap.inputs=$inputs" -t "$image")
  for file in "${files[@]}"; do
    cp -a "$file" "$context/"
  done
  for arg in "${build_args[@]}"; do
    args+=(--build-arg "$arg")
  done
  run_logged "build-$dir" docker build "${args[@]}" "$context"
  rm -rf "$context"
}

# push_image LOCAL REMOTE: pushes LOCAL to the mirror as REMOTE unless the
# mirror already serves the digest that docker recorded at the last push.
push_image() {
  local local_image=$1 remote=$REGISTRY_HOST/$2
  local repo=${2%:*} tag=${2##*:}
  local pushed served
  pushed=$(docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$remote" 2>/dev/null |
    sed -n "s|^$REGISTRY_HOST/$repo@||p" | head -n 1 || true)
  served=$(curl -fsSI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_HOST/v2/$repo/manifests/$tag" 2>/dev/null |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p' || true)
  if [[ -n "$pushed" && "$pushed" == "$served" ]] &&
    [[ "$(docker image inspect -f '{{.Id}}' "$remote")" == "$(docker image inspect -f '{{.Id}}' "$local_image")" ]]; then
    log "mirror serves $2"
    return 0
  fi
  log "pushing $2 to the mirror"
  docker tag "$local_image" "$remote"
  run_logged "push-${repo//\//-}" docker push "$remote"
  log "mirror serves $2"
}

# The Debian base itself.
push_image "$base" "library/debian:$DEBIAN_SUITE"

# Go builder.
go_root=$(go env GOROOT)
[[ "$(go env GOVERSION)" == "go$GO_VERSION" ]] ||
  die "the Go builder image needs Go $GO_VERSION, but $go_root is $(go env GOVERSION); install Go $GO_VERSION at /usr/local/go or change GO_VERSION in versions.env"
build_image "golang:$GO_VERSION-$DEBIAN_SUITE" "go$GO_VERSION" "$go_root" -- "GO_VERSION=$GO_VERSION"
push_image "$LOCAL_PREFIX/golang:$GO_VERSION-$DEBIAN_SUITE" "library/golang:$GO_VERSION-$DEBIAN_SUITE"

# Trivy.
build_trivy
trivy_bin=$AIRGAP_CACHE/trivy-$TRIVY_VERSION/trivy
build_image "trivy:$TRIVY_VERSION" "$(sha256sum <"$trivy_bin")" "$trivy_bin" -- "TRIVY_VERSION=$TRIVY_VERSION"
push_image "$LOCAL_PREFIX/trivy:$TRIVY_VERSION" "aquasec/trivy:$TRIVY_VERSION"

# Docker-in-Docker with docker compose. The tag carries the version of
# Debian's docker.io, read from the built image.
build_compose
compose_bin=$AIRGAP_CACHE/compose-$COMPOSE_VERSION/docker-compose
build_image "dind:$DEBIAN_SUITE" "$(sha256sum <"$compose_bin")" "$compose_bin" -- "COMPOSE_VERSION=$COMPOSE_VERSION"
docker_version=$(docker run --rm --entrypoint dockerd "$LOCAL_PREFIX/dind:$DEBIAN_SUITE" --version |
  sed -n 's/^Docker version \([0-9.]*\).*/\1/p')
[[ -n "$docker_version" ]] || die "could not read the Docker version of $LOCAL_PREFIX/dind:$DEBIAN_SUITE"
push_image "$LOCAL_PREFIX/dind:$DEBIAN_SUITE" "library/docker:$docker_version-dind-$DEBIAN_SUITE"
