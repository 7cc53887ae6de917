#!/usr/bin/env bash
# Publishes what Trivy downloads at scan time to the registry mirror, so that
# scans with --db-repository and --checks-bundle-repository never reach
# ghcr.io or mirror.gcr.io:
#   atlasia/trivy-db-fixture:2  the fixture vulnerability database of
#                               infra/airgap/trivyfixture (schema 2)
#   aquasec/trivy-checks:1      the checks bundle of the trivy-checks version
#                               that Trivy $TRIVY_VERSION requires
# oci-push and trivy-fixture-db are rebuilt into $AIRGAP_CACHE/bin only when
# their sources change, the bundle is built once per trivy-checks version,
# and an artifact is pushed only when the mirror has another digest.
# After a push, a scan of the base image pulls both artifacts from the
# mirror into an empty cache and must find exactly the expected fixtures.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

DB_REPO=atlasia/trivy-db-fixture:2
CHECKS_REPO=aquasec/trivy-checks:1
DB_MEDIA_TYPE=application/vnd.aquasec.trivy.db.layer.v1.tar+gzip
DB_CONFIG_MEDIA_TYPE=application/vnd.aquasec.trivy.config.v1+json
CHECKS_MEDIA_TYPE=application/vnd.cncf.openpolicyagent.layer.v1.tar+gzip
CHECKS_CONFIG_MEDIA_TYPE=application/vnd.cncf.openpolicyagent.config.v1+json

bin_dir=$AIRGAP_CACHE/bin
db_dir=$AIRGAP_CACHE/trivy-db-fixture
command -v go >/dev/null 2>&1 || die "go is not on PATH; install Go $GO_VERSION (/usr/local/go/bin)"
curl -fsS "http://$REGISTRY_HOST/v2/" >/dev/null 2>&1 ||
  die "the registry mirror at http://$REGISTRY_HOST/v2/ is not reachable; run infra/airgap/steps/registry.sh first"

# build_tools: builds oci-push and trivy-fixture-db unless the binaries were
# built from the same sources, and regenerates db.tar.gz with them.
build_tools() {
  local inputs
  inputs=$(inputs_hash infra/airgap/go.mod infra/airgap/go.sum infra/airgap/trivyfixture \
    infra/airgap/cmd/oci-push infra/airgap/cmd/trivy-fixture-db)
  if [[ -x $bin_dir/oci-push && -x $bin_dir/trivy-fixture-db && -f $db_dir/db.tar.gz &&
    "$(cat "$bin_dir/.trivy-tools.inputs" 2>/dev/null)" == "$inputs" ]]; then
    log "oci-push, trivy-fixture-db and db.tar.gz are current (inputs $inputs)"
    return 0
  fi

  log "building oci-push and trivy-fixture-db into $bin_dir"
  mkdir -p "$bin_dir" "$db_dir"
  local tool
  for tool in oci-push trivy-fixture-db; do
    run_logged "build-$tool" env CGO_ENABLED=0 GOFLAGS=-mod=readonly \
      go -C "$AIRGAP_DIR" build -trimpath -o "$bin_dir/$tool" "./cmd/$tool"
  done

  log "writing the fixture database to $db_dir/db.tar.gz"
  run_logged trivy-fixture-db "$bin_dir/trivy-fixture-db" -out "$db_dir/cache" -tarball "$db_dir/db.tar.gz"
  printf '%s\n' "$inputs" >"$bin_dir/.trivy-tools.inputs"
}

# module_dir MODULE@VERSION: downloads a module through the Go proxy (a no-op
# when it is in the module cache) and prints its directory.
module_dir() {
  local dir
  dir=$(cd / && GOFLAGS='' go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir ]] || die "go mod download $1 gave no module directory"
  printf '%s\n' "$dir"
}

# checks_version: prints the trivy-checks version in Trivy's go.mod.
checks_version() {
  local gomod version
  gomod=$(cd / && GOFLAGS='' go mod download -json "github.com/aquasecurity/trivy@v$TRIVY_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [[ -f $gomod ]] || die "go mod download found no go.mod for trivy v$TRIVY_VERSION"
  version=$(awk '$1 == "github.com/aquasecurity/trivy-checks" { print $2 }' "$gomod")
  [[ -n $version ]] || die "$gomod does not require github.com/aquasecurity/trivy-checks"
  printf '%s\n' "$version"
}

# build_bundle VERSION: builds bundle.tar.gz with trivy-checks' own
# cmd/bundle, once per version, and prints its path.
build_bundle() {
  local version=$1
  local dir=$AIRGAP_CACHE/trivy-checks/$version
  if [[ -f $dir/bundle.tar.gz ]]; then
    log "checks bundle of trivy-checks $version is built"
    printf '%s\n' "$dir/bundle.tar.gz"
    return 0
  fi

  local src
  src=$(module_dir "github.com/aquasecurity/trivy-checks@$version")
  log "building the checks bundle of trivy-checks $version"
  mkdir -p "$dir"
  # cmd/bundle imports only the standard library, so it builds inside the
  # read-only module cache; -mod=readonly makes go fail rather than try to
  # update that go.mod.
  run_logged build-trivy-checks-bundle env CGO_ENABLED=0 GOFLAGS=-mod=readonly GOWORK=off \
    go -C "$src" build -o "$dir/bundle" ./cmd/bundle
  # NOTE: cmd/bundle writes the files in Go map order with the module
  # cache's modification times, so a rebuild (another machine, or after
  # removing $dir) gives the same files under a different digest.
  run_logged trivy-checks-bundle "$dir/bundle" -root "$src" -out "$dir/bundle.tar.gz.tmp"
  mv "$dir/bundle.tar.gz.tmp" "$dir/bundle.tar.gz"
  printf '%s\n' "$dir/bundle.tar.gz"
}

# registry_digest REPO:TAG: prints the manifest digest the mirror stores
# under the tag, or nothing when the tag is missing.
registry_digest() {
  local repo=${1%:*} tag=${1##*:}
  curl -fsSI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY_HOST/v2/$repo/manifests/$tag" 2>/dev/null |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' || true
}

# publish REPO:TAG FILE TITLE MEDIA_TYPE CONFIG_MEDIA_TYPE: pushes FILE as a
# single-layer artifact unless the mirror already has the same digest.
# Sets digest to the artifact's manifest digest, and pushed=1 after a push.
publish() {
  local ref=$1 file=$2 title=$3 media_type=$4 config_media_type=$5
  local args=(-file "$file" -title "$title" -media-type "$media_type" -config-media-type "$config_media_type")
  local have
  digest=$("$bin_dir/oci-push" "${args[@]}" -digest-only)
  have=$(registry_digest "$ref")
  if [[ $have == "$digest" ]]; then
    log "$REGISTRY_HOST/$ref is current ($digest)"
    return 0
  fi
  log "pushing $file to $REGISTRY_HOST/$ref (the mirror has ${have:-no such tag})"
  run_logged "push-${ref//[\/:]/-}" "$bin_dir/oci-push" "${args[@]}" -ref "$REGISTRY_HOST/$ref"
  pushed=1
}

# find_trivy: prints the trivy binary that images.sh builds, or one on PATH.
find_trivy() {
  local built=$AIRGAP_CACHE/trivy-$TRIVY_VERSION/trivy
  if [[ -x $built ]]; then
    printf '%s\n' "$built"
  else
    command -v trivy || true
  fi
}

# verify_scan: scans the base image with an empty cache, pulling both
# artifacts from the mirror, and fails unless Trivy logs no ERROR and finds
# exactly the Debian 12 fixtures that are expected to match. The base image
# contains every package those fixtures name.
verify_scan() {
  local trivy
  trivy=$(find_trivy)
  if [[ -z $trivy ]]; then
    log "no trivy binary ($AIRGAP_CACHE/trivy-$TRIVY_VERSION/trivy or on PATH); skipping the verification scan"
    return 1
  fi
  require_docker

  local work
  work=$(mktemp -d "$AIRGAP_CACHE/trivy-verify.XXXXXX")
  # shellcheck disable=SC2064 # expand $work now: it is local to this function
  trap "rm -rf '$work'" EXIT
  local image=$LOCAL_PREFIX/debian:$DEBIAN_SUITE
  docker save -o "$work/image.tar" "$image"

  log "scanning $image with $trivy, pulling the database and the checks bundle from the mirror"
  # Run in the empty directory, because Trivy silently reads .trivyignore
  # and trivy.yaml from the working directory.
  if ! (cd "$work" && "$trivy" image --input image.tar --cache-dir "$work/cache" \
    --db-repository "$REGISTRY_HOST/$DB_REPO" --checks-bundle-repository "$REGISTRY_HOST/$CHECKS_REPO" \
    --insecure --skip-version-check --disable-telemetry \
    --scanners vuln,misconfig --skip-dirs /var/lib/apt/lists \
    -f json -o report.json >scan.log 2>&1); then
    tail -n 30 "$work/scan.log" >&2
    die "the verification scan of $image failed"
  fi
  if grep -q 'ERROR' "$work/scan.log"; then
    grep 'ERROR' "$work/scan.log" >&2
    die "the verification scan logged errors; the checks bundle or the database did not load"
  fi

  local expected found
  expected=$("$bin_dir/trivy-fixture-db" -list |
    awk -F'\t' '$2 == "debian 12" && $8 == "true" { print $1 }' | sort | paste -sd' ')
  found=$(grep -o '"VulnerabilityID": "[^"]*"' "$work/report.json" | cut -d'"' -f4 | sort -u | paste -sd' ')
  if [[ $found != "$expected" ]]; then
    die "the verification scan found [$found], expected [$expected]"
  fi
  log "the verification scan found exactly the expected fixtures: $found"
  rm -rf "$work"
  trap - EXIT
}

build_tools
checks=$(checks_version)
bundle=$(build_bundle "$checks")

pushed=0
publish "$DB_REPO" "$db_dir/db.tar.gz" db.tar.gz "$DB_MEDIA_TYPE" "$DB_CONFIG_MEDIA_TYPE"
db_digest=$digest
publish "$CHECKS_REPO" "$bundle" bundle.tar.gz "$CHECKS_MEDIA_TYPE" "$CHECKS_CONFIG_MEDIA_TYPE"
checks_digest=$digest

# The marker records the digests the last verification scan passed with,
# so a second run with nothing new skips the scan.
marker=$db_dir/verified
if [[ $pushed == 1 || "$(cat "$marker" 2>/dev/null)" != "$db_digest $checks_digest" ]]; then
  if verify_scan; then
    printf '%s %s\n' "$db_digest" "$checks_digest" >"$marker"
  fi
fi

log "vulnerability database: $REGISTRY_HOST/$DB_REPO@$db_digest"
log "checks bundle (trivy-checks $checks): $REGISTRY_HOST/$CHECKS_REPO@$checks_digest"
