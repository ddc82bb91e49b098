#!/usr/bin/env bash
# Transport benchmarks of issue 4 (item 6), the whole set in one command: builds the release
# benchmark, runs it RUNS times (default 3; about 5 minutes each), each run measuring all of its
# ratios itself (operator and smoother against the triad, iterations 64^3-256^3, FEniCS and
# SciPy side by side, 1 versus 2 threads), and prints the median and the spread of every ratio.
#
#   tools/bench.sh            3 runs
#   tools/bench.sh 5          5 runs
#   BENCH_FILTER='Triad|Apply|Residual|Smoother' tools/bench.sh   a subset (--benchmark_filter)
#
# Output in build/bench/results/<date-time>/: run<i>.json and run<i>.txt (benchmark output),
# run<i>.log (the reference scripts' output), load.txt (/proc/loadavg every 5 s, to tell a quiet
# machine from a busy one), machine.txt, summary.txt. The FEniCS and SciPy comparison needs
# Debian's python3-dolfin and python3-scipy (bench/reference/README.md); without them those rows
# report an error and the rest still runs. Not part of tools/setup.sh or the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
filter="${BENCH_FILTER:-.}"

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DNW_BUILD_TESTS=OFF -DNW_BUILD_BENCH=ON >/dev/null
cmake --build build/bench --target nw_bench_transport

out="build/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
{
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "nproc: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "compiler: $(c++ --version | head -1)"
  echo "load at start: $(cat /proc/loadavg)"
} >"$out/machine.txt"

# Load sampler for the whole session (stopped by its own PID on exit).
(while true; do echo "$(date +%T) $(cat /proc/loadavg)"; sleep 5; done) >"$out/load.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT

for i in $(seq 1 "$runs"); do
  echo "== run $i of $runs ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  build/bench/bench/nw_bench_transport --benchmark_filter="$filter" \
    --benchmark_out="$out/run$i.json" --benchmark_out_format=json 2>"$out/run$i.log" | tee "$out/run$i.txt"
done

/usr/bin/python3 bench/summarise_transport.py "$out"/run*.json | tee "$out/summary.txt"
echo "load (1-min average) during the runs: $(awk '{print $2}' "$out/load.txt" | sort -n | awk '{a[NR]=$1} END {print "min " a[1] ", median " a[int((NR+1)/2)] ", max " a[NR]}')" \
  | tee -a "$out/summary.txt"
echo "results: $out"
