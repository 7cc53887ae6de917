#!/usr/bin/env bash
# Measures `dagger call build` on the local engine: a cold build (the engine's
# local cache pruned first), a warm re-run with nothing changed, and the size
# of each hardened image next to the same image built without hardening.
# Prints a Markdown table for docs/benchmarks.md. Run it with `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=/dev/null
source bin/airgap.env

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# shellcheck source=bench/lib.sh
source bench/lib.sh

echo "pruning the engine's local cache" >&2
dagger query <<<'{ engine { localCache { prune } } }' >/dev/null

echo "cold build" >&2
cold=$(seconds dagger call build export --path "$out/hardened")
echo "warm build, nothing changed" >&2
warm=$(seconds dagger call build export --path "$out/hardened")
echo "unhardened build for the size comparison" >&2
seconds dagger call build --harden=false export --path "$out/unhardened" >/dev/null

# image_size TARBALL: prints the size docker reports for the loaded image, in MB.
image_size() {
  local id
  id=$(docker load --input "$1" | sed -n 's/^Loaded image ID: //p')
  docker image inspect --format '{{.Size}}' "$id" | awk '{ printf "%.1f", $1 / 1000000 }'
}

echo "| measurement | value |"
echo "| --- | --- |"
echo "| cold \`dagger call build export\` (engine cache pruned) | ${cold} s |"
echo "| warm re-run, nothing changed | ${warm} s |"
echo "| warm / cold | $(awk -v w="$warm" -v c="$cold" 'BEGIN { printf "%.3f", w / c }') |"
for image in ai-orchestrator frontend; do
  echo "| $image size, hardened / unhardened | $(image_size "$out/hardened/$image.tar") MB / $(image_size "$out/unhardened/$image.tar") MB |"
done
