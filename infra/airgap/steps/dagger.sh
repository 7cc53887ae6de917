#!/usr/bin/env bash
# Builds the Dagger CLI, engine and engine helpers from the Go module proxy's
# copy of github.com/dagger/dagger at $DAGGER_VERSION into
# $AIRGAP_CACHE/dagger-$DAGGER_VERSION/, and links the CLI to bin/dagger.
#
# `go install` rejects that module because its go.mod has replace directives,
# so the step builds in a writable copy of the module. The copy also gets the
# two nested modules that the module proxy's zip leaves out: sdk/go (taken from
# dagger.io/dagger at the same version) and engine/distconsts (the stand-in in
# infra/airgap/dagger/distconsts).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

command -v go >/dev/null 2>&1 || PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null 2>&1 || die "go is not on PATH; install Go $GO_VERSION at /usr/local/go"

out_dir=$AIRGAP_CACHE/dagger-$DAGGER_VERSION
inputs_file=$out_dir/inputs
# The binaries: output name and package directory in the Dagger module.
binaries=(
  dagger:cmd/dagger
  dagger-engine:cmd/engine
  dagger-init:cmd/init
  dnsname:cmd/dnsname
  dial-stdio:cmd/dialstdio
  codegen:cmd/codegen
)

go_version=$(go env GOVERSION)
inputs=$(inputs_hash infra/airgap/dagger/distconsts infra/airgap/steps/dagger.sh)-$go_version

all_present=true
for binary in "${binaries[@]}"; do
  [[ -x "$out_dir/${binary%%:*}" ]] || all_present=false
done

if [[ $all_present == true && "$(cat "$inputs_file" 2>/dev/null)" == "$inputs" ]]; then
  log "Dagger $DAGGER_VERSION binaries in $out_dir are up to date"
else
  log "downloading github.com/dagger/dagger@$DAGGER_VERSION and dagger.io/dagger@$DAGGER_VERSION"
  mkdir -p "$AIRGAP_CACHE"
  # Outside any module and with no GOFLAGS, so the caller's directory and
  # settings cannot turn the download into a go.mod or go.sum change.
  (cd / && GOFLAGS='' run_logged dagger-download go mod download \
    github.com/dagger/dagger@"$DAGGER_VERSION" dagger.io/dagger@"$DAGGER_VERSION")
  mod_cache=$(go env GOMODCACHE)

  src=$(mktemp -d "$AIRGAP_CACHE/dagger-src.XXXXXX")
  trap 'rm -rf "$src"' EXIT
  cp -r "$mod_cache/github.com/dagger/dagger@$DAGGER_VERSION/." "$src"
  mkdir -p "$src/sdk" "$src/engine"
  rm -rf "$src/sdk/go" "$src/engine/distconsts"
  cp -r "$mod_cache/dagger.io/dagger@$DAGGER_VERSION" "$src/sdk/go"
  cp -r "$AIRGAP_DIR/dagger/distconsts" "$src/engine/distconsts"
  # Files from the module cache are read-only, and `rm -rf` of the copy needs
  # write permission on its directories.
  chmod -R u+w "$src"

  # engine.Version and engine.Tag must be the same in the CLI and the engine,
  # or the CLI rejects the engine as incompatible.
  # -s -w drop the symbol table and DWARF data, about a quarter of each binary.
  ldflags="-s -w -X github.com/dagger/dagger/engine.Version=$DAGGER_VERSION -X github.com/dagger/dagger/engine.Tag=$DAGGER_VERSION"
  mkdir -p "$out_dir"
  rm -f "$inputs_file"
  for binary in "${binaries[@]}"; do
    name=${binary%%:*}
    package=${binary#*:}
    log "building $name from $package (CGO_ENABLED=0)"
    (
      cd "$src"
      run_logged "dagger-build-$name" env CGO_ENABLED=0 \
        go build -trimpath -ldflags "$ldflags" -o "$out_dir/$name.new" "./$package"
    )
    mv "$out_dir/$name.new" "$out_dir/$name"
  done
  printf '%s\n' "$inputs" >"$inputs_file"
  log "Dagger $DAGGER_VERSION binaries built in $out_dir"
fi

mkdir -p "$REPO_ROOT/bin"
ln -sfn "$out_dir/dagger" "$REPO_ROOT/bin/dagger"
version=$("$REPO_ROOT/bin/dagger" version 2>/dev/null | awk '{print $2}')
[[ "$version" == "$DAGGER_VERSION" ]] ||
  die "bin/dagger reports version '$version', expected $DAGGER_VERSION; delete $out_dir and run this step again"
log "bin/dagger -> $out_dir/dagger ($version)"
