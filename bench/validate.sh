#!/usr/bin/env bash
# Hostile scenario files against `stress-ci validate`: each must be refused (exit 65) within 1 s
# and 256 MiB, or accepted as quickly. Prints wall time and peak RSS per input, and PyYAML's
# safe_load time on the same file as the peer (where it finishes within 10 s).
#
#   bash bench/validate.sh                  # uses .build/release/stress-ci (else .build/debug)
#   STRESS_CI=path/to/stress-ci bash bench/validate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${STRESS_CI:-.build/release/stress-ci}
[ -x "$bin" ] || bin=.build/debug/stress-ci
[ -x "$bin" ] || { echo "build first: swift build -c release" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

head='name: bench
target: { builtin: demo }
load: { rate: 10/s, duration: 1s }'
# 1. An alias bomb in a body: 9 levels of 10 aliases, 10^9 values when expanded.
{
  echo "$head"
  echo "requests:"
  echo "  - name: bomb"
  echo "    path: /"
  printf '    body:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n'
  for i in 1 2 3 4 5 6 7 8; do
    p=$((i - 1)); printf "      l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n" $i $i $p $p $p $p $p $p $p $p $p $p
  done
} > "$dir/alias-bomb.yaml"
# 2. Close to the most keys the YAML guard lets through (20,000 value starts), in one mapping.
{ echo "$head"; echo "requests:"; echo "  - name: keys"; echo "    path: /"; echo "    headers:"
  for i in $(seq 1 19900); do echo "      xh$i: v"; done; } > "$dir/many-keys.yaml"
# 3. A body of nearly 1 MiB.
{ echo "$head"; echo "requests:"; echo "  - name: big"; echo "    path: /"; echo "    body: $(head -c 1040000 /dev/zero | tr '\0' 'a')"; } > "$dir/big-string.yaml"
# 4. Nesting 100,000 deep (refused before any recursion).
{ echo "$head"; printf 'description: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } > "$dir/deep.yaml"
# 5. Over 1 MiB: refused after reading 1 MiB.
{ echo "$head"; echo "description: $(head -c 1100000 /dev/zero | tr '\0' 'b')"; } > "$dir/too-big.yaml"

fail=0
printf '%-16s %8s %6s %10s %10s   %s\n' input bytes exit seconds "peak MiB" "PyYAML safe_load"
for f in alias-bomb many-keys big-string deep too-big; do
  file="$dir/$f.yaml"
  set +e
  /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" validate "$file" > /dev/null 2>&1
  code=$?
  set -e
  read -r secs kib < <(tail -n 1 "$dir/time")
  mib=$(awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }')
  peer=$(timeout 10 python3 -c 'import sys, time, yaml
t = time.time()
try: yaml.safe_load(open(sys.argv[1]))
except Exception as e: print("error %.2fs" % (time.time() - t)); sys.exit()
print("%.2fs" % (time.time() - t))' "$file" 2>/dev/null || echo "over 10 s")
  printf '%-16s %8d %6d %10s %10s   %s\n' "$f" "$(stat -c %s "$file")" "$code" "$secs" "$mib" "$peer"
  awk -v s="$secs" 'BEGIN { exit !(s > 1.0) }' && { echo "  FAIL: over 1 s"; fail=1; }
  [ "$mib" -gt 256 ] && { echo "  FAIL: over 256 MiB"; fail=1; }
  [ "$code" -eq 0 ] || [ "$code" -eq 65 ] || { echo "  FAIL: exit $code (expected 0 or 65)"; fail=1; }
done
exit $fail
