#!/usr/bin/env bash
# Calibrates the regression verdicts (SPEC §11) against the embedded demo target:
#   A/A: the same target compared with a baseline of 10 runs of it  → false-positive rate
#   A/B: the target slowed by 10% and by 20%                          → detection rate
#
#   bash bench/calibrate.sh [RUNS]      # RUNS per experiment (default 20); prints the rates
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
swift build -c release --product stress-ci >/dev/null
bin=.build/release/stress-ci
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scenario() {  # $1 = latency in ms, written with the same name and load so the baseline accepts it
  cat > "$tmp/lat-$1.yaml" <<YAML
name: calibrate
target: { builtin: demo, latency: $1ms, jitter: 2ms }
load: { model: open, rate: 200/s, duration: 4s, warmup: 1s, connections: 16 }
requests:
  - { name: product, method: GET, path: "/products/\${random.int(1,5000)}" }
YAML
}
scenario 20; scenario 22; scenario 24

run() {  # $1 = latency, rest = flags; prints the exit code
  set +e
  "$bin" run "$tmp/lat-$1.yaml" --store "$tmp/store" --out "$tmp/out" --progress none "${@:2}" > "$tmp/last.txt" 2>&1
  echo $?
  set -e
}

echo "baseline: 10 runs at 20 ms"
for _ in $(seq 10); do [ "$(run 20 --save-baseline main)" = 0 ] || { cat "$tmp/last.txt"; exit 1; }; done

experiment() {  # $1 = latency, $2 = label
  local regressions=0 other=0
  for _ in $(seq "$runs"); do
    case "$(run "$1" --baseline main)" in
      2) regressions=$((regressions + 1)) ;;
      0) ;;
      *) other=$((other + 1)); cat "$tmp/last.txt" ;;
    esac
    grep -h "p95 latency" "$tmp/last.txt" | sed 's/^ */    /' | head -1
  done
  local note=""
  [ "$other" -gt 0 ] && note=", $other ended otherwise"
  echo "$2: $regressions of $runs runs judged a p95 regression ($((100 * regressions / runs))%)$note"
}

experiment 20 "A/A (same target)"
experiment 22 "A/B +10% latency"
experiment 24 "A/B +20% latency"
