#!/usr/bin/env bash
# Measures the Trivy scan of the pipeline (`dagger call scan-reports`) on the
# local engine, and the Trivy binary that `make toolchain` builds, run
# directly on the same inputs with the same fixture DB. Prints a Markdown
# table for docs/benchmarks.md. Run it after `make toolchain` with
# `bash bench/scan.sh`. The pipeline rows with Trivy uncached are medians of
# three runs and every other row comes from one run, so expect noise on a
# shared machine. The CPU rows count the whole machine's CPU time, from
# /proc/stat.
#
# Inputs: the hardened images as tarballs from `dagger call build export`,
# the checkout's source tree and infra/trivy-config.yaml. The build runs
# first and is not timed, because bench/build.sh measures builds. Every
# pipeline run scans the tarballs with --tarballs, so no run includes a
# build, except the two rows of `dagger call scan` as a user runs it (PRUNE=1
# only), which build the images first.
#
# What the rows mean:
# - Cold (PRUNE=1 only): the engine's local cache, cache volumes included,
#   is pruned first, so the call compiles the module, pulls the Trivy image
#   and downloads the DB and the checks bundle from the mirror.
# - Pipeline, Trivy uncached: every Trivy run of the scan misses the
#   engine's cache. Each such run passes a copy of infra/trivy-config.yaml
#   with its own timeout, which differs by a random fraction of a second,
#   and the timeout is an argument of every Trivy command. ci/scan.go keeps
#   Trivy's layer cache in memory (TRIVY_CACHE_BACKEND=memory), so every
#   layer is analyzed again. The module is compiled, the Trivy image pulled
#   and the DB and checks bundle are in the module's cache volume.
# - Trivy binary, empty cache: a new cache directory, so Trivy downloads the
#   DB and the checks bundle from the mirror at 127.0.0.1:5000 and analyzes
#   every layer. The row "DB and checks cached" starts from a cache directory
#   that contains only the DB and the checks bundle. It does about the same
#   work as the pipeline with Trivy uncached, so compare the two.
# - Warm: the same command again with nothing changed. The pipeline reuses
#   the engine's cached results, and the Trivy binary reuses its layer cache.
#
# The direct runs scan the targets one after another, as a person would run
# them, while the pipeline scans them concurrently unless --serial is given.
# They run with GOGC=400, as the pipeline's Trivy container does.
# Every pipeline row includes the CLI's module load and the check of the
# uploaded tarballs. The compose checks run in the pipeline only, in Go in
# the module's process.
#
# scan and scan-reports are cached per session, so a warm pipeline row runs
# the function again, which takes the DB check (done at most once an hour)
# and every Trivy result from the engine's cache.
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

# uncached_scan NAME [FLAG...]: runs a pipeline scan with Trivy uncached three times, each
# with its own configuration, and prints the median wall time and the median
# CPU time the machine spent, in seconds.
uncached_scan() {
  local name=$1 run before wall walls=() cpus=()
  shift
  for run in 1 2 3; do
    before=$(busy_seconds)
    wall=$(seconds pipeline_scan "$(cold_config "$name-$run")" "$out/$name-$run" "$@")
    walls+=("$wall")
    cpus+=("$(awk -v a="$before" -v b="$(busy_seconds)" 'BEGIN { printf "%.1f", b - a }')")
  done
  echo "$(median "${walls[@]}") $(median "${cpus[@]}")"
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
    GOGC=400 "$trivy_bin" image --input "$out/images/$image.tar" --scanners vuln,secret "${common[@]}" \
      --output "$out/direct-$image.json"
    "$trivy_bin" convert --format sarif --output "$out/direct-$image.sarif" "$out/direct-$image.json"
  done
  # The pipeline's source tree leaves out .git, bin, reports, node_modules
  # and the module's generated code, and the scan skips testdata directories.
  GOGC=400 "$trivy_bin" fs --scanners misconfig,secret "${common[@]}" \
    --skip-dirs .git --skip-dirs bin --skip-dirs reports --skip-dirs '**/node_modules' --skip-dirs '**/testdata' \
    --skip-dirs ci/internal/dagger --skip-dirs ci/internal/querybuilder --skip-dirs ci/internal/telemetry \
    --skip-files ci/dagger.gen.go --skip-files ci/.env \
    --output "$out/direct-source.json" .
  "$trivy_bin" convert --format sarif --output "$out/direct-source.sarif" "$out/direct-source.json"
}

echo "exporting the hardened images (not timed)" >&2
dagger call build export --path "$out/images" >/dev/null 2>"$out/stderr" || {
  tail -n 30 "$out/stderr" >&2
  exit 1
}

# prune: empties the engine's local cache, cache volumes included.
prune() {
  echo "pruning the engine's local cache" >&2
  dagger query <<<'{ engine { localCache { prune } } }' >/dev/null
}

# With PRUNE=1 two measurements start from an empty engine cache, in which
# the Trivy image is pulled, the module compiled and the DB and checks
# bundle downloaded into a new cache volume. The first scans the uploaded
# tarballs. The second is `dagger call scan` as a user runs it, so it also
# pulls the base images and builds and hardens both images. Leave PRUNE
# unset on an engine that others are using.
pruned=""
if [[ ${PRUNE:-0} == 1 ]]; then
  prune
  echo "pipeline, engine cache pruned" >&2
  pruned_config_path=$(cold_config pruned)
  pruned=$(seconds pipeline_scan "$pruned_config_path" "$out/pruned")
  echo "pipeline, warm re-run after the pruned run" >&2
  pruned_warm=$(seconds pipeline_scan "$pruned_config_path" "$out/pruned-warm")

  prune
  echo "dagger call scan, engine cache pruned" >&2
  user_cold=$(seconds dagger call scan "${pipeline_flags[@]}")
  echo "dagger call scan, warm re-run" >&2
  user_warm=$(seconds dagger call scan "${pipeline_flags[@]}")
fi

# The first call with a new tarball directory uploads the tarballs to the
# engine; later calls only check them. An untimed scan does the upload, so
# that it adds to neither the concurrent nor the serial run.
echo "uploading the tarballs with a first scan (not timed)" >&2
seconds pipeline_scan "$(cold_config upload)" "$out/upload" >/dev/null

# The rows below with Trivy uncached are medians of three runs.
echo "pipeline, Trivy uncached, concurrent" >&2
read -r cold cold_cpu < <(uncached_scan cold)
echo "pipeline, warm re-run, nothing changed" >&2
warm=$(seconds pipeline_scan "$out/cold-3.yaml" "$out/warm")
echo "pipeline, Trivy uncached, --serial" >&2
read -r serial _ < <(uncached_scan serial --serial)

# Each target alone, cold, to compare the concurrent scan with the slowest
# single target. The compose-only scan runs no Trivy, so its CPU time is what
# a call costs without the Trivy targets.
slowest=0
slowest_name=""
declare -A single_wall single_cpu
for target in image/ai-orchestrator image/frontend source compose; do
  echo "pipeline, Trivy uncached, only $target" >&2
  read -r single single_cpu[$target] < <(uncached_scan "single-${target//\//-}" --targets "$target")
  single_wall[$target]=$single
  if awk -v a="$single" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then
    slowest=$single
    slowest_name=$target
  fi
done
# The Trivy targets' CPU time beyond a call's own, summed.
trivy_cpu=$(awk -v base="${single_cpu[compose]}" -v a="${single_cpu[image/ai-orchestrator]}" \
  -v b="${single_cpu[image/frontend]}" -v c="${single_cpu[source]}" \
  'BEGIN { printf "%.1f", (a - base) + (b - base) + (c - base) }')

# Two targets on two cores: the backend image and the source tree, together
# and alone (the source alone is measured above).
echo "pipeline, Trivy uncached, image/ai-orchestrator and source together" >&2
read -r pair _ < <(uncached_scan pair --targets image/ai-orchestrator,source)
pair_slowest=$(awk -v a="${single_wall[source]}" -v b="${single_wall[image/ai-orchestrator]}" 'BEGIN { print (a > b ? a : b) }')

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
echo "| pipeline, Trivy uncached: every Trivy run misses the engine cache, DB already in the cache volume, concurrent | ${cold} s |"
echo "| pipeline, Trivy uncached, \`--serial\` | ${serial} s |"
echo "| pipeline, warm re-run, nothing changed | ${warm} s |"
echo "| Trivy binary, empty cache (downloads DB and checks from 127.0.0.1:5000) | ${direct_empty} s |"
echo "| Trivy binary, DB and checks cached, no layer cache | ${direct_seeded} s |"
echo "| Trivy binary, warm re-run | ${direct_warm} s |"
echo "| pipeline, Trivy uncached, concurrent / \`--serial\` | $(ratio "$cold" "$serial") |"
echo "| pipeline, Trivy uncached, slowest single target ($slowest_name) | ${slowest} s |"
echo "| pipeline, Trivy uncached, concurrent / slowest single target | $(ratio "$cold" "$slowest") |"
# With the targets' CPU time spread over every core, the concurrent scan
# cannot take less than this.
cores=$(nproc)
bound=$(awk -v wall="${single_wall[compose]}" -v cpu="$trivy_cpu" -v n="$cores" 'BEGIN { printf "%.1f", wall + cpu / n }')
echo "| machine CPU time: concurrent run, Trivy uncached / compose-only run | ${cold_cpu} s / ${single_cpu[compose]} s |"
echo "| machine CPU time of the Trivy targets, each alone less the compose-only run, summed | ${trivy_cpu} s |"
echo "| least time of the concurrent run on $cores cores: compose-only run + that CPU time / $cores | ${bound} s |"
echo "| that least time / slowest single target | $(ratio "$bound" "$slowest") |"
echo "| pipeline, Trivy uncached, image/ai-orchestrator and source together | ${pair} s |"
echo "| pipeline, Trivy uncached, image/ai-orchestrator alone / source alone | ${single_wall[image/ai-orchestrator]} s / ${single_wall[source]} s |"
echo "| two targets together / the slower alone | $(ratio "$pair" "$pair_slowest") |"
echo "| pipeline, Trivy uncached / Trivy binary with DB and checks cached | $(ratio "$cold" "$direct_seeded") |"
echo "| warm re-run / Trivy uncached | $(ratio "$warm" "$cold") |"
if [[ -n $pruned ]]; then
  echo "| pipeline, engine cache pruned (PRUNE=1) | ${pruned} s |"
  echo "| pipeline, warm re-run after it | ${pruned_warm} s |"
  echo "| warm / engine cache pruned | $(ratio "$pruned_warm" "$pruned") |"
  echo "| \`dagger call scan\` (builds the images), engine cache pruned | ${user_cold} s |"
  echo "| \`dagger call scan\`, warm re-run | ${user_warm} s |"
  echo "| \`dagger call scan\`, warm / cold | $(ratio "$user_warm" "$user_cold") |"
fi
