#!/bin/bash
# One shard of a Kairos sweep as a task of a Slurm job array.
#
#   sbatch --array=0-3 --output=OUT/log-%A_%a.txt scripts/slurm/sweep-array.sh OUT SWEEP-ARGS…
#
# Task i runs `kairos sweep SWEEP-ARGS… --shard i/n` and writes OUT/part-i.csv and its manifest
# (kairos writes both atomically: a part is whole or absent). n is KAIROS_SHARDS when set (a
# re-run of some shards: --array=2,5 with KAIROS_SHARDS=8), else SLURM_ARRAY_TASK_COUNT.
# KAIROS names the binary (default: kairos on PATH). The task's exit code is kairos's.
#SBATCH --job-name=kairos-sweep
#SBATCH --cpus-per-task=1
set -euo pipefail
out=${1:?usage: sweep-array.sh OUT SWEEP-ARGS…}
shift
i=${SLURM_ARRAY_TASK_ID:?not a Slurm array task (submit with sbatch --array=0-N)}
n=${KAIROS_SHARDS:-${SLURM_ARRAY_TASK_COUNT:?}}
mkdir -p "$out"
exec "${KAIROS:-kairos}" sweep "$@" --shard "$i/$n" --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet --out "$out/part-$i.csv"
