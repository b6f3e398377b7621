#!/usr/bin/env bash
# The linear scaling rule across ranks: SGD with momentum on the MNIST MLP at growing global batch (128 on 1 rank, 256 on 2,
# 512 on 2, 1024 on 3), learning rate scaled by batch/128 with and without 5 epochs of warmup, and unscaled; 3 seeds each.
# Usage: bench/mpi/scaling-rule.sh [OUT_DIR]   -> OUT_DIR/scaling-rule.csv
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-/tmp/descent-scaling-rule}"
mkdir -p "$out"
dotnet build "$root/src/Descent.Cli" -c Release >/dev/null
cli="$root/src/Descent.Cli/bin/Release/net10.0/Descent.Cli.dll"
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none -x TERM=dumb)
epochs="${EPOCHS:-10}"
echo "batch,ranks,variant,seed,test_accuracy,test_loss" > "$out/scaling-rule.csv"
for cfg in "128 1" "256 2" "512 2" "1024 3"; do
  set -- $cfg; batch=$1; ranks=$2
  for variant in unscaled "linear-nowarmup" "linear-warmup"; do
    case $variant in
      unscaled) extra=();;
      linear-nowarmup) extra=(--scale-lr linear --base-batch 128 --warmup-epochs 0);;
      linear-warmup) extra=(--scale-lr linear --base-batch 128 --warmup-epochs 2);;
    esac
    for seed in 0 1 2; do
      line=$("${mpi[@]}" -np "$ranks" dotnet "$cli" train --problem mnist-mlp --hidden 128 --optimizer "sgd(lr=0.05, momentum=0.9)" \
        --batch "$batch" --epochs "$epochs" --seed "$seed" --data "$root/data/mnist-10k" --out "$out/run-$batch-$variant-$seed" --json "${extra[@]}" | tail -1)
      acc=$(echo "$line" | sed -E 's/.*"test_accuracy":([^,]*),.*/\1/')
      loss=$(echo "$line" | sed -E 's/.*"test_loss":([^,]*),.*/\1/')
      echo "$batch,$ranks,$variant,$seed,$acc,$loss" | tee -a "$out/scaling-rule.csv"
    done
  done
done
