#!/usr/bin/env bash
# Builds the Dagger engine image $LOCAL_PREFIX/dagger-engine:$DAGGER_VERSION
# from the binaries of steps/dagger.sh, with the Go SDK runtime image
# ($LOCAL_PREFIX/dagger-go-sdk:$DAGGER_VERSION) stored in it as builtin
# content, so that the engine runs Go SDK modules without pulling any image.
#
# Each image carries the hash of its inputs as the io.atlasia.airgap.inputs
# label and is rebuilt only when that hash changes.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
require_docker

command -v go >/dev/null 2>&1 || PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null 2>&1 || die "go is not on PATH; install Go $GO_VERSION at /usr/local/go"

dagger_dir=$AIRGAP_CACHE/dagger-$DAGGER_VERSION
[[ -s "$dagger_dir/inputs" ]] ||
  die "the Dagger binaries are missing in $dagger_dir; run infra/airgap/steps/dagger.sh first"
binaries_inputs=$(cat "$dagger_dir/inputs")

base_image=$LOCAL_PREFIX/debian:$DEBIAN_SUITE
sdk_image=$LOCAL_PREFIX/dagger-go-sdk:$DAGGER_VERSION
engine_image=$LOCAL_PREFIX/dagger-engine:$DAGGER_VERSION
docker image inspect "$base_image" >/dev/null 2>&1 ||
  die "base image $base_image is missing; run infra/airgap/steps/base-image.sh first"

go_root=$(go env GOROOT)
go_version=$(go env GOVERSION)
[[ "$go_version" == "go$GO_VERSION" ]] ||
  die "the host's Go is $go_version at $go_root, but versions.env asks for go$GO_VERSION"

# The base image's ID is part of the key, so a rebuilt base rebuilds both.
base_id=$(docker image inspect -f '{{.Id}}' "$base_image")
# Extra CA certificates of the host, for example those of a proxy that
# intercepts HTTPS. Only the Go SDK runtime needs them: it downloads modules.
ca_dir=/usr/local/share/ca-certificates
ca_files=()
if [[ -d $ca_dir ]]; then
  while IFS= read -r -d '' file; do
    ca_files+=("$file")
  done < <(find "$ca_dir" -maxdepth 1 -type f -name '*.crt' -print0 | LC_ALL=C sort -z)
fi
ca_hash=$(cat /dev/null "${ca_files[@]}" | sha256sum | cut -c1-12)
sdk_inputs=$(inputs_hash infra/airgap/images/go-sdk infra/airgap/steps/engine-image.sh)-$binaries_inputs-${base_id:7:12}-$ca_hash
engine_inputs=$(inputs_hash infra/airgap/images/engine infra/airgap/cmd/oci-layout)-$sdk_inputs

mkdir -p "$AIRGAP_CACHE"
staging=$(mktemp -d "$AIRGAP_CACHE/engine-image.XXXXXX")
trap 'rm -rf "$staging"' EXIT

# remove_untagged_image ID: removes the image ID if a rebuild took its last
# tag, unless a container still uses it (steps/engine.sh removes the previous
# engine image once it has replaced the engine container).
remove_untagged_image() {
  local id=$1
  [[ -n $id ]] || return 0
  if [[ "$(docker image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null)" == 0 ]]; then
    docker rmi "$id" >/dev/null 2>&1 || true
  fi
}

# build_sdk_image: builds the Go SDK runtime image from a context with the
# host's Go toolchain, codegen and a module cache seeded with every module in
# the build list of the Dagger Go SDK at $DAGGER_VERSION. Go SDK modules
# require that whole list before codegen's `go mod tidy` prunes it.
build_sdk_image() {
  local context=$staging/go-sdk seed=$staging/sdk-go-mod
  mkdir -p "$context" "$seed"
  cp "$AIRGAP_DIR/images/go-sdk/Dockerfile" "$context/"
  cp "$dagger_dir/codegen" "$context/codegen"
  mkdir -p "$context/ca-certificates"
  if ((${#ca_files[@]} > 0)); then
    cp "${ca_files[@]}" "$context/ca-certificates/"
  fi
  # Hard links save copying the toolchain (about 270 MB for Go 1.26) when it
  # and the cache share a file system. Nothing writes to the linked files.
  if ! cp -al "$go_root" "$context/go" 2>/dev/null; then
    rm -rf "$context/go"
    cp -a "$go_root" "$context/go"
  fi

  local sdk_dir
  sdk_dir=$(cd / && GOFLAGS='' go mod download -json dagger.io/dagger@"$DAGGER_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$sdk_dir" ]] || die "go mod download dagger.io/dagger@$DAGGER_VERSION printed no directory"
  cp "$sdk_dir/go.mod" "$sdk_dir/go.sum" "$seed/"
  chmod u+w "$seed/go.mod" "$seed/go.sum"
  log "seeding the Go SDK module cache from dagger.io/dagger@$DAGGER_VERSION's go.mod"
  # The host's module cache serves as the first proxy, so modules that the
  # host already has are copied, not downloaded. -modcacherw leaves the seed
  # writable, so the cleanup can delete it.
  (
    cd "$seed"
    run_logged go-sdk-mod-download env \
      GOMODCACHE="$context/gomod" GOFLAGS=-modcacherw \
      GOPROXY="file://$(go env GOMODCACHE)/cache/download,$(go env GOPROXY)" \
      go mod download all
  )

  log "building $sdk_image"
  run_logged build-go-sdk docker build \
    --build-arg "BASE_IMAGE=$base_image" \
    --label "io.atlasia.airgap.inputs=$sdk_inputs" \
    -t "$sdk_image" "$context"
}

# build_engine_image: converts the Go SDK runtime image into an OCI layout and
# builds the engine image with that layout's blobs and the binaries.
build_engine_image() {
  local context=$staging/engine
  mkdir -p "$context/bin"
  cp "$AIRGAP_DIR/images/engine/Dockerfile" "$AIRGAP_DIR/images/engine/engine.json" "$context/"
  for name in dagger-engine dagger-init dnsname dial-stdio; do
    cp "$dagger_dir/$name" "$context/bin/$name"
  done

  local tool=$AIRGAP_CACHE/bin/oci-layout
  log "building $tool"
  mkdir -p "$AIRGAP_CACHE/bin"
  (cd "$AIRGAP_DIR" && run_logged build-oci-layout go build -o "$tool" ./cmd/oci-layout)

  log "converting $sdk_image to an OCI layout"
  run_logged save-go-sdk docker save -o "$staging/go-sdk.tar" "$sdk_image"
  local digest
  digest=$("$tool" -o "$context/content" "$staging/go-sdk.tar")
  rm -f "$staging/go-sdk.tar"

  log "building $engine_image (Go SDK manifest $digest)"
  run_logged build-engine docker build \
    --build-arg "BASE_IMAGE=$base_image" \
    --build-arg "GO_SDK_MANIFEST_DIGEST=$digest" \
    --label "io.atlasia.airgap.inputs=$engine_inputs" \
    -t "$engine_image" "$context"
}

if [[ "$(image_inputs "$sdk_image")" != "$sdk_inputs" ]]; then
  previous_sdk_id=$(docker image inspect -f '{{.Id}}' "$sdk_image" 2>/dev/null || true)
  build_sdk_image
  remove_untagged_image "$previous_sdk_id"
else
  log "Go SDK runtime image $sdk_image is up to date"
fi

if [[ "$(image_inputs "$engine_image")" != "$engine_inputs" ]]; then
  previous_engine_id=$(docker image inspect -f '{{.Id}}' "$engine_image" 2>/dev/null || true)
  build_engine_image
  remove_untagged_image "$previous_engine_id"
  log "engine image $engine_image built"
else
  log "engine image $engine_image is up to date"
fi
