# shellcheck shell=bash
# Helpers of the benchmark scripts. Source it after setting $out, a
# directory the script removes when it exits.

# seconds CMD...: runs CMD quietly and prints its wall time in seconds. When
# CMD fails, it prints the last lines of CMD's stderr and returns 1.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$out/stderr" || {
    tail -n 30 "$out/stderr" >&2
    return 1
  }
  end=$(date +%s.%N)
  echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }'
}
