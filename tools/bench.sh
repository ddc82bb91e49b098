#!/usr/bin/env bash
# Transport benchmarks of issue 4 (item 6), the whole set in one command: builds the release
# benchmark, runs it RUNS times (default 3; about 5 minutes each), each run measuring all of its
# ratios itself (operator and smoother against the triad, iterations 64^3-256^3, FEniCS and
# SciPy side by side, 1 versus 2 threads), and prints the median and the spread of every ratio.
#
#   tools/bench.sh            3 runs
#   tools/bench.sh 5          5 runs
#   BENCH_FILTER='Triad|Apply|Residual|Smoother' tools/bench.sh   a subset (--benchmark_filter)
#   BENCH_TARGET=nw_bench_patch tools/bench.sh 1     another benchmark of bench/ (issue 4 point 7:
#                                                    the 1 cm2 patch against the fast cell); no summary
#
# The build uses BENCH_JOBS parallel jobs (default 1: the machine is shared).
#
# Output in build/bench/results/<date-time>/: run<i>.json and run<i>.txt (benchmark output),
# run<i>.log (the reference scripts' output), load<i>.txt (/proc/loadavg every 5 s during run i,
# to tell a quiet machine from a busy one), machine.txt, summary.txt. The FEniCS and SciPy
# comparison needs Debian's python3-dolfin and python3-scipy (bench/reference/README.md);
# without them those rows report an error and the rest still runs. Not part of tools/setup.sh or
# the test suite.
#
# Timings on 2 threads are only meaningful on an otherwise idle machine: any other busy process
# makes the threads wait for each other. Before each run the script waits until the 1-minute
# load average is below BENCH_QUIET_LOAD (default 0.5) or BENCH_QUIET_WAIT seconds (default 1800)
# have passed, and summary.txt gives the load during every run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
filter="${BENCH_FILTER:-.}"
target="${BENCH_TARGET:-nw_bench_transport}"
jobs="${BENCH_JOBS:-1}"
# The reference scripts by absolute path (the binary's default is derived from __FILE__, which
# a compiler launcher such as ccache may make relative to the build folder).
export NW_BENCH_REFERENCE_DIR="${NW_BENCH_REFERENCE_DIR:-$PWD/bench/reference}"
quiet_load="${BENCH_QUIET_LOAD:-0.5}"
quiet_wait="${BENCH_QUIET_WAIT:-1800}"

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DNW_BUILD_TESTS=OFF -DNW_BUILD_BENCH=ON >/dev/null
cmake --build build/bench -j "$jobs" --target "$target"

out="build/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
{
  echo "target: $target"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "nproc: $(nproc)"
  grep -m1 'model name' /proc/cpuinfo || true
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "compiler: $(c++ --version | head -1)"
  echo "load at start: $(cat /proc/loadavg)"
} >"$out/machine.txt"

sampler=""
trap '[ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true' EXIT
load_stats() {  # min, median and max of the 1-minute load average in a load file
  awk '{print $2}' "$1" | sort -n | awk '{a[NR]=$1} END {print "min " a[1] ", median " a[int((NR+1)/2)] ", max " a[NR]}'
}

for i in $(seq 1 "$runs"); do
  waited=0
  while awk -v q="$quiet_load" '{exit !($1 >= q)}' /proc/loadavg && ((waited < quiet_wait)); do
    ((waited % 300 == 0)) && echo "waiting for a quiet machine (load $(cut -d' ' -f1 /proc/loadavg))"
    sleep 10
    waited=$((waited + 10))
  done
  echo "== run $i of $runs ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  # Load sampler for this run (stopped by its own PID).
  (while true; do echo "$(date +%T) $(cat /proc/loadavg)"; sleep 5; done) >"$out/load$i.txt" &
  sampler=$!
  "build/bench/bench/$target" --benchmark_filter="$filter" \
    --benchmark_out="$out/run$i.json" --benchmark_out_format=json 2>"$out/run$i.log" | tee "$out/run$i.txt"
  kill "$sampler" 2>/dev/null || true
  sampler=""
done

if [ "$target" = nw_bench_transport ]; then
  /usr/bin/python3 bench/summarise_transport.py "$out"/run*.json | tee "$out/summary.txt"
fi
{
  echo "1-minute load average during each run (this benchmark alone adds up to 2):"
  for i in $(seq 1 "$runs"); do echo "  run $i: $(load_stats "$out/load$i.txt")"; done
} | tee -a "$out/summary.txt"
echo "results: $out"
