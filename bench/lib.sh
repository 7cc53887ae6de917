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

# busy_seconds: prints the CPU time the machine has spent outside idle and
# I/O wait since boot, in seconds, summed over all cores.
busy_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat
}

# median A B C: prints the middle one of three numbers.
median() {
  printf '%s\n' "$@" | sort -g | sed -n 2p
}
