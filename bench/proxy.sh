#!/usr/bin/env bash
# Fault proxy overhead and ceiling (issue [3/7]): the same load against the same nginx, once
# direct and once through the fault proxy with no fault active, in the same run. nginx runs one
# worker on a loopback port and answers every request with a fixed 6-byte body (as in
# bench/engine.sh). Two measurements, each direct against proxied, taking turns round by round:
#
#   overhead: open model at RATE arrivals/s — p50 and p99 latency, and what the proxy adds to p50
#   ceiling:  closed model with CONNS users at full speed — requests/s, and proxied / direct
#
# A run goes through the proxy only when its scenario has a network fault, so every scenario has
# the stages `warm` (1 s, the warmup), `measure` (DURATION s) and `tail` (1 s); the proxied one
# has a `latency` fault (delay 1ms) in force during `tail` only, and the figures are the
# `measure` stage's (result.json `metrics.per_stage`), when the proxy relays with no fault
# active. The direct run has the same stages and no fault. CPU is user + system seconds of the
# whole stress-ci process (load thread, and the proxy's thread when there is one), from GNU time.
#
#   bash bench/proxy.sh                   # plain HTTP, 2000/s and 64 users, 10 s each, 5 rounds
#   RATE=5000 CONNS=256 DURATION=30 bash bench/proxy.sh
#   SCHEMES="http https" bash bench/proxy.sh   # also over https (the proxy passes TLS through)
#   ROUNDS=9 bash bench/proxy.sh          # more alternating rounds (default 5; medians are taken)
#
# Exits 1 when the proxy adds 0.2 ms or more to the median p50 at RATE (the median over rounds of
# proxied p50 − direct p50), or on any error or dropped arrival in the overhead runs, or on any
# error in the ceiling runs. The ceiling is only measured and printed. NO_GATE=1 only prints.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-2000}             # open model arrivals per second for the overhead runs
CONNS=${CONNS:-64}             # closed model users (one connection each) for the ceiling runs
OPEN_CONNS=${OPEN_CONNS:-64}   # open model keep-alive connections
DURATION=${DURATION:-10}       # seconds of the measured stage
SCHEMES=${SCHEMES:-http}
THREADS=${THREADS:-1}          # stress-ci --threads: one, nginx has the other core
ROUNDS=${ROUNDS:-5}
GATE_MS=${GATE_MS:-0.2}        # the most the proxy may add to p50 at RATE

BENCH_TOOLS="nginx openssl"
# shellcheck source=bench/nginx.sh
. bench/nginx.sh

# A scenario with the stages warm (the 1 s warmup), measure and tail at one level; with
# proxied=1 a latency fault covers tail only, which puts the fault proxy in front of nginx for
# the whole run.
scenario() { # file, url, model, level, connections, proxied
  local file=$1 url=$2 model=$3 level=$4 conns=$5 proxied=$6 extra=""
  [ "$model" = open ] && extra="max_in_flight: 100000"
  {
    cat <<YAML
name: proxy-bench
target: { url: "$url", insecure: true }
load:
  model: $model
  warmup: 1s
  start: $level
  connections: $conns
  timeout: 5s
  ${extra:+$extra}
  stages:
    - { name: warm, duration: 1s, target: $level }
    - { name: measure, duration: ${DURATION}s, target: $level }
    - { name: tail, duration: 1s, target: $level }
requests:
  - { name: hello, path: / }
YAML
    if [ "$proxied" = 1 ]; then
      cat <<YAML
faults:
  - { kind: latency, name: tail-latency, at: $((DURATION + 1))s, for: 1s, delay: 1ms }
YAML
    fi
  } > "$file"
  if ! "$bin" validate "$file" > "$file.validate" 2>&1; then
    echo "the generated scenario $file does not validate:" >&2
    cat "$file.validate" "$file" >&2
    exit 2
  fi
}

# One run; the measure stage's figures, the run's errors and what the proxy saw during tail.
# → "requests req/s p50 p99 errors dropped cpu run_errors tail_requests tail_affected"
run() { # scenario, name
  timed "$tmp/$2.time" \
    "$bin" run "$1" --out "$tmp/$2" --threads "$THREADS" --quiet --progress none > "$tmp/$2.verdict" 2>&1 || true
  if [ ! -f "$tmp/$2/result.json" ]; then
    echo "no result.json from $2:" >&2
    cat "$tmp/$2.verdict" >&2
    exit 2
  fi
  python3 - "$tmp/$2/result.json" "$(cpu_of "$tmp/$2.time")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
stage = next(s["stats"] for s in d["metrics"]["per_stage"] if s["name"] == "measure")
p = stage["latency"]["percentiles"]
faults = d.get("faults") or []
tail_req = sum(f.get("requests") or 0 for f in faults) if faults else "-"
tail_aff = sum(f.get("affected") or 0 for f in faults) if faults else "-"
print(stage["requests"], round(stage["throughput"], 1), f'{p["p50"]:.3f}', f'{p["p99"]:.3f}',
      stage["errors"], stage["dropped"], sys.argv[2], d["summary"]["errors"], tail_req, tail_aff)
PY
}

diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }

# Direct and proxied take turns, and swap which goes first every round, so a slow stretch of the
# machine or a warm cache does not favour one of them.
pair_order() { if [ $(($1 % 2)) = 1 ]; then echo "direct proxied"; else echo "proxied direct"; fi; }

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) — $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# stress-ci $(git rev-parse --short HEAD 2>/dev/null || echo '?'), nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), 1 worker, 6-byte answer; ${DURATION} s measured (+1 s warmup, +1 s tail), $THREADS load thread(s), $ROUNDS round(s)"
fail=0
for scheme in $SCHEMES; do
  port=$HTTP_PORT; [ "$scheme" = https ] && port=$HTTPS_PORT
  url="$scheme://127.0.0.1:$port/"
  for mode in direct proxied; do
    p=0; [ "$mode" = proxied ] && p=1
    scenario "$tmp/open-$scheme-$mode.yaml" "$url" open "${RATE}/s" "$OPEN_CONNS" "$p"
    scenario "$tmp/closed-$scheme-$mode.yaml" "$url" closed "$CONNS" "$CONNS" "$p"
  done

  echo
  echo "## $scheme ($url): overhead, open model at ${RATE}/s over $OPEN_CONNS connections"
  printf '%-6s %-8s %10s %10s %10s %12s %8s %14s\n' round run "p50 ms" "p99 ms" "requests/s" "CPU s/100k" errors "tail (fault)"
  adds=""; d50s=""; p50s=""; d99s=""; p99s=""
  for round in $(seq "$ROUNDS"); do
    for mode in $(pair_order "$round"); do
      read -r n rps p50 p99 err drop cpu run_err t_req t_aff <<< "$(run "$tmp/open-$scheme-$mode.yaml" "open-$scheme-$mode-$round")"
      printf '%-6s %-8s %10s %10s %10s %12s %8s %14s\n' "$round" "$mode" "$p50" "$p99" "$rps" "$(per100k "$cpu" "$n")" \
        "$err/$run_err" "$([ "$mode" = proxied ] && echo "$t_aff of $t_req" || echo -)"
      [ "$err" = 0 ] && [ "$run_err" = 0 ] && [ "$drop" = 0 ] || fail=1
      if [ "$mode" = direct ]; then d50=$p50; d99=$p99; else x50=$p50; x99=$p99; fi
    done
    adds="$adds $(diff_ms "$x50" "$d50")"
    d50s="$d50s $d50"; p50s="$p50s $x50"; d99s="$d99s $d99"; p99s="$p99s $x99"
  done
  add=$(echo "$adds" | median)
  echo "proxied − direct p50, per round (ms):${adds}"
  echo "median p50: direct $(echo "$d50s" | median) ms, proxied $(echo "$p50s" | median) ms; added $(printf '%.3f' "$add") ms (median of rounds, target < $GATE_MS)"
  echo "median p99: direct $(echo "$d99s" | median) ms, proxied $(echo "$p99s" | median) ms"
  awk -v a="$add" -v g="$GATE_MS" 'BEGIN { exit (a < g) ? 0 : 1 }' || fail=1

  echo
  echo "## $scheme ($url): ceiling, closed model with $CONNS users"
  printf '%-6s %-8s %12s %12s %10s %12s %8s\n' round run "requests/s" requests "p50 ms" "CPU s/100k" errors
  ratios=""; drs=""; prs=""
  for round in $(seq "$ROUNDS"); do
    for mode in $(pair_order "$round"); do
      read -r n rps p50 p99 err drop cpu run_err t_req t_aff <<< "$(run "$tmp/closed-$scheme-$mode.yaml" "closed-$scheme-$mode-$round")"
      printf '%-6s %-8s %12s %12s %10s %12s %8s\n' "$round" "$mode" "$rps" "$n" "$p50" "$(per100k "$cpu" "$n")" "$err/$run_err"
      [ "$err" = 0 ] && [ "$run_err" = 0 ] || fail=1
      if [ "$mode" = direct ]; then d_rps=$rps; else x_rps=$rps; fi
    done
    ratios="$ratios $(ratio "$x_rps" "$d_rps")"; drs="$drs $d_rps"; prs="$prs $x_rps"
  done
  echo "proxied / direct requests/s, per round:${ratios}×"
  echo "median requests/s: direct $(echo "$drs" | median), proxied $(echo "$prs" | median); proxied / direct $(echo "$ratios" | median)× (median of rounds)"
done
echo
echo "(errors: in the measure stage / in the whole run; tail (fault): requests the latency fault delayed of those that reached the proxy during tail)"

if [ "$fail" = 1 ] && [ "${NO_GATE:-0}" != 1 ]; then
  echo "FAIL: the fault proxy adds ${GATE_MS} ms or more to p50 at ${RATE}/s, or requests failed or were dropped" >&2
  exit 1
fi
