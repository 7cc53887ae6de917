#!/usr/bin/env bash
# Measures the Trivy scan of the pipeline (`dagger call scan-reports`) on the
# local engine, and the Trivy binary that `make toolchain` builds, run
# directly on the same inputs with the same fixture DB. Prints a Markdown
# table for docs/benchmarks.md. Run it after `make toolchain` with
# `bash bench/scan.sh`. Each number comes from one run, so expect noise on a
# shared machine.
#
# Inputs: the hardened images as tarballs from `dagger call build export`,
# the checkout's source tree and infra/trivy-config.yaml. The build runs
# first and is not timed, because bench/build.sh measures builds. Every
# pipeline run scans the tarballs with --tarballs, so no run includes a build.
#
# What "cold" means here:
# - Pipeline, cold: every Trivy run of the scan misses the engine's cache.
#   Each cold run passes a copy of infra/trivy-config.yaml with its own
#   timeout, which differs by a random fraction of a second, and the timeout
#   is an argument of every Trivy command. ci/scan.go keeps Trivy's layer
#   cache in memory (TRIVY_CACHE_BACKEND=memory), so every layer is analyzed
#   again. The vulnerability DB and the checks bundle are already in the
#   module's cache volume, the Trivy image is pulled and the module is
#   compiled. The module names its cache volume (atlasia-trivy), and emptying
#   it would mean pruning the engine's cache, which slows down everyone who
#   uses the engine. So no pipeline row includes the DB download.
# - Trivy binary, empty cache: a new cache directory, so Trivy downloads the
#   DB and the checks bundle from the mirror at 127.0.0.1:5000 and analyzes
#   every layer. The row "DB and checks cached" starts from a cache directory
#   that contains only the DB and the checks bundle. It does about the same
#   work as the pipeline's cold run, so compare the two.
# - Warm: the same command again with nothing changed. The pipeline reuses
#   the engine's cached results, and the Trivy binary reuses its layer cache.
#
# The direct runs scan the targets one after another, as a person would run
# them, while the pipeline scans them concurrently unless --serial is given.
# Every pipeline row includes the CLI's module load and the check of the
# uploaded tarballs. The compose checks run in the pipeline only, in Go in
# the module's process.
#
# scan and scan-reports are cached per session, so the warm pipeline row
# runs the function again: it checks the DB and takes every Trivy result
# from the engine's cache.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=/dev/null
source bin/airgap.env

trivy_bin=${TRIVY_BIN:-/var/cache/atlasia-airgap/trivy-0.74.0/trivy}
if [[ ! -x $trivy_bin ]]; then
  echo "Trivy binary $trivy_bin not found: run \`make toolchain\`, or set TRIVY_BIN" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# shellcheck source=bench/lib.sh
source bench/lib.sh

# ratio A B: prints A / B with two decimals.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# Inside the engine the mirror is registry.airgap.internal:5000, and on the
# host it is 127.0.0.1:5000.
pipeline_flags=(
  --db-repository registry.airgap.internal:5000/atlasia/trivy-db-fixture:2
  --checks-bundle-repository registry.airgap.internal:5000/aquasec/trivy-checks:1
  --insecure
)
host_flags=(
  --skip-version-check --disable-telemetry --no-progress
  --db-repository 127.0.0.1:5000/atlasia/trivy-db-fixture:2
  --checks-bundle-repository 127.0.0.1:5000/aquasec/trivy-checks:1
  --insecure
)

# cold_config NAME: writes a copy of infra/trivy-config.yaml with a timeout
# of 10 minutes plus a random number of nanoseconds, which an earlier run is
# unlikely to have used, and prints its path.
cold_config() {
  local path="$out/$1.yaml"
  if ! grep -q '^timeout: 10m$' infra/trivy-config.yaml; then
    echo "infra/trivy-config.yaml has no line \"timeout: 10m\" to vary: update cold_config in $0" >&2
    return 1
  fi
  sed "s/^timeout: 10m\$/timeout: 10m0.$(date +%N)s/" infra/trivy-config.yaml >"$path"
  echo "$path"
}

# pipeline_scan CONFIG REPORTS [FLAG...]: scans the tarballs with the
# pipeline and exports the reports to REPORTS.
pipeline_scan() {
  local config=$1 reports=$2
  shift 2
  dagger call scan-reports --tarballs "$out/images" --config "$config" "${pipeline_flags[@]}" "$@" \
    export --path "$reports"
}

# trivy_scan CACHE_DIR [FLAG...]: runs the Trivy commands of the pipeline on
# the same inputs, one after another, with the cache directory CACHE_DIR.
trivy_scan() {
  local cache=$1 image
  shift
  local common=(--cache-dir "$cache" "${host_flags[@]}" "$@"
    --severity HIGH,CRITICAL --timeout 10m --skip-dirs /var/lib/apt/lists --format json)
  for image in ai-orchestrator frontend; do
    "$trivy_bin" image --input "$out/images/$image.tar" --scanners vuln,secret "${common[@]}" \
      --output "$out/direct-$image.json"
    "$trivy_bin" convert --format sarif --output "$out/direct-$image.sarif" "$out/direct-$image.json"
  done
  # The pipeline's source tree leaves out .git, bin, reports and
  # node_modules, and the scan skips testdata directories.
  "$trivy_bin" fs --scanners misconfig,secret "${common[@]}" \
    --skip-dirs .git --skip-dirs bin --skip-dirs reports --skip-dirs '**/node_modules' --skip-dirs '**/testdata' \
    --output "$out/direct-source.json" .
  "$trivy_bin" convert --format sarif --output "$out/direct-source.sarif" "$out/direct-source.json"
}

echo "exporting the hardened images (not timed)" >&2
dagger call build export --path "$out/images" >/dev/null 2>"$out/stderr" || {
  tail -n 30 "$out/stderr" >&2
  exit 1
}

# With PRUNE=1 the first measurement starts from an empty engine cache: the
# Trivy image is pulled, the module compiled, the tarballs uploaded and the
# DB and checks bundle downloaded into a new cache volume. Leave it unset on
# an engine that others are using.
pruned=""
if [[ ${PRUNE:-0} == 1 ]]; then
  echo "pruning the engine's local cache" >&2
  dagger query <<<'{ engine { localCache { prune } } }' >/dev/null
  echo "pipeline, engine cache pruned" >&2
  pruned_config_path=$(cold_config pruned)
  pruned=$(seconds pipeline_scan "$pruned_config_path" "$out/pruned")
  echo "pipeline, warm re-run after the pruned run" >&2
  pruned_warm=$(seconds pipeline_scan "$pruned_config_path" "$out/pruned-warm")
fi

# The first call with a new tarball directory uploads the tarballs to the
# engine; later calls only check them. An untimed scan does the upload, so
# that it adds to neither the concurrent nor the serial run.
echo "uploading the tarballs with a first scan (not timed)" >&2
seconds pipeline_scan "$(cold_config upload)" "$out/upload" >/dev/null

echo "pipeline, cold, concurrent" >&2
cold_config_path=$(cold_config cold)
cold=$(seconds pipeline_scan "$cold_config_path" "$out/cold")
echo "pipeline, warm re-run, nothing changed" >&2
warm=$(seconds pipeline_scan "$cold_config_path" "$out/warm")
echo "pipeline, cold, --serial" >&2
serial=$(seconds pipeline_scan "$(cold_config serial)" "$out/serial" --serial)

# Each target alone, cold, to compare the concurrent scan with the slowest
# single target.
slowest=0
slowest_name=""
for target in image/ai-orchestrator image/frontend source compose; do
  echo "pipeline, cold, only $target" >&2
  single=$(seconds pipeline_scan "$(cold_config "single-${target//\//-}")" "$out/single-${target//\//-}" --targets "$target")
  if awk -v a="$single" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then
    slowest=$single
    slowest_name=$target
  fi
done

echo "Trivy binary, empty cache" >&2
direct_empty=$(seconds trivy_scan "$out/trivy-cache")
# A cache directory with only the DB and the checks bundle: everything but
# fanal, Trivy's cache of analyzed layers.
mkdir "$out/trivy-seeded"
for entry in "$out/trivy-cache"/*; do
  [[ $(basename "$entry") == fanal ]] || cp -a "$entry" "$out/trivy-seeded/"
done
echo "Trivy binary, DB and checks cached, no layer cache" >&2
direct_seeded=$(seconds trivy_scan "$out/trivy-seeded" --skip-db-update --skip-check-update)
echo "Trivy binary, warm re-run" >&2
direct_warm=$(seconds trivy_scan "$out/trivy-cache")

echo "| measurement | value |"
echo "| --- | --- |"
echo "| pipeline, cold: every Trivy run misses the engine cache, DB already in the cache volume | ${cold} s |"
echo "| pipeline, cold, \`--serial\` | ${serial} s |"
echo "| pipeline, warm re-run, nothing changed | ${warm} s |"
echo "| Trivy binary, empty cache (downloads DB and checks from 127.0.0.1:5000) | ${direct_empty} s |"
echo "| Trivy binary, DB and checks cached, no layer cache | ${direct_seeded} s |"
echo "| Trivy binary, warm re-run | ${direct_warm} s |"
echo "| pipeline cold, concurrent / \`--serial\` | $(ratio "$cold" "$serial") |"
echo "| pipeline cold, slowest single target ($slowest_name) | ${slowest} s |"
echo "| pipeline cold, concurrent / slowest single target | $(ratio "$cold" "$slowest") |"
echo "| pipeline cold / Trivy binary with DB and checks cached | $(ratio "$cold" "$direct_seeded") |"
echo "| pipeline warm / pipeline cold | $(ratio "$warm" "$cold") |"
if [[ -n $pruned ]]; then
  echo "| pipeline, engine cache pruned (PRUNE=1) | ${pruned} s |"
  echo "| pipeline, warm re-run after it | ${pruned_warm} s |"
  echo "| warm / engine cache pruned | $(ratio "$pruned_warm" "$pruned") |"
fi
