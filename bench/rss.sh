#!/usr/bin/env bash
# Memory does not grow with run length (SPEC §5): peak RSS of a 32 s run at 2000/s must stay
# within 25% of an 8 s run at the same rate. Both run the release build against the embedded
# demo target (in the same process, so its memory is counted too).
#
#   bash bench/rss.sh            # prints both peaks and the ratio; exits 1 if the ratio > 1.25
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product stress-ci >/dev/null
bin=.build/release/stress-ci
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scenario() {
  cat > "$tmp/rss-$1.yaml" <<YAML
name: rss-$1s
target: { builtin: demo, latency: 1ms, jitter: 1ms }
load: { model: open, rate: 2000/s, duration: $1s, connections: 64 }
requests:
  - { name: product, weight: 4, method: GET, path: "/products/\${random.int(1,5000)}" }
  - { name: checkout, method: POST, path: /checkout, body: '{"sku": 1, "qty": 1}', expect: { status: [201] } }
criteria:
  - throughput >= 1980/s
YAML
}

peak_kib() {
  /usr/bin/time -f %M -o "$tmp/time-$1" "$bin" run "$tmp/rss-$1.yaml" --out "$tmp/out-$1" --quiet > "$tmp/verdict-$1"
  tail -n 1 "$tmp/time-$1"
}

scenario 8
scenario 32
short=$(peak_kib 8)
long=$(peak_kib 32)
echo "8 s run:  peak RSS $((short / 1024)) MiB ($(cat "$tmp/verdict-8"))"
echo "32 s run: peak RSS $((long / 1024)) MiB ($(cat "$tmp/verdict-32"))"
ratio=$(awk -v a="$long" -v b="$short" 'BEGIN { printf "%.3f", a / b }')
echo "ratio 32 s / 8 s: $ratio (limit 1.25)"
awk -v r="$ratio" 'BEGIN { exit (r <= 1.25) ? 0 : 1 }'
