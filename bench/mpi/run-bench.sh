#!/usr/bin/env bash
# Compute vs communication per data-parallel step at 1, 2 and 3 ranks (MNIST MLP and a 15.9M-parameter MLP), then the
# alpha-beta cost model fitted to the measured allreduces, checked on those points and extrapolated to N = 8..1024.
# Usage: [STEPS=5] [THREADS=1] bench/mpi/run-bench.sh [OUT_DIR]   (builds the CLI in Release first)
# THREADS is each rank's DESCENT_MAX_THREADS: 1 keeps 2 ranks within this host's 2 cores (more ranks or threads than cores
# measure the operating system's scheduling, not the network).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-/tmp/descent-mpi-bench}"
mkdir -p "$out"
dotnet build "$root/src/Descent.Cli" -c Release >/dev/null
cli="$root/src/Descent.Cli/bin/Release/net10.0/Descent.Cli.dll"
export DESCENT_MAX_THREADS="${THREADS:-1}"
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none -x TERM=dumb -x DESCENT_MAX_THREADS)
for n in 1 2 3; do
  "${mpi[@]}" -np "$n" dotnet "$cli" mpi bench --steps "${STEPS:-5}" --data "$root/data/mnist-10k" --json > "$out/bench-$n.json"
done
# The stated network: 100 Gb/s InfiniBand HDR-class links, 12.5 GB/s and 2 us per message.
dotnet "$cli" mpi model "$out"/bench-{1,2,3}.json --latency 2e-6 --bandwidth 12.5e9 | tee "$out/model.md"
