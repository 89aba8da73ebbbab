#!/bin/bash
# A sharded Kairos sweep on Slurm: a job array of n shards, then the merge.
#
#   scripts/slurm/run-sweep.sh -n 8 -o OUT [-m "MERGE-ARGS"] [-r 2,5] -- SWEEP-ARGS…
#
#   -n  shards (array tasks 0..n-1)           -o  shared folder for the parts, logs and result
#   -m  arguments for `kairos sweep merge`    -r  re-run only these shards (after a failure)
#   -d  merge as a dependent job (afterok) instead of waiting here (sbatch --wait)
#
# Every task writes OUT/part-i.csv with its manifest; the merge writes OUT/results.csv (and
# results.json), byte-identical to the unsharded run. If any shard fails, the run fails with
# that shard's error (its log is printed) and nothing is merged; the parts that succeeded stay,
# so `-r` re-runs only the failed ones. KAIROS names the binary (default: kairos on PATH);
# extra sbatch options go in SBATCH_OPTIONS (e.g. "--partition=cpu --time=01:00:00").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n= out= merge= rerun= dependent=
while getopts "n:o:m:r:d" opt; do
  case $opt in
    n) n=$OPTARG ;; o) out=$OPTARG ;; m) merge=$OPTARG ;; r) rerun=$OPTARG ;; d) dependent=1 ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "run-sweep.sh: give the number of shards: -n N" >&2; exit 2; }
[ -n "$out" ] || { echo "run-sweep.sh: give the shared output folder: -o DIR" >&2; exit 2; }
[ $# -gt 0 ] || { echo "run-sweep.sh: give the sweep's arguments after --" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
kairos=${KAIROS:-kairos}
array=${rerun:-0-$((n - 1))}
export KAIROS="$kairos" KAIROS_SHARDS="$n"
# shellcheck disable=SC2206
options=(--parsable --export=ALL --array="$array" --output="$out/log-%A_%a.txt" ${SBATCH_OPTIONS:-})
task=("$here/sweep-array.sh" "$out" "$@")
parts() { for ((i = 0; i < n; i++)); do printf '%q ' "$out/part-$i.csv"; done; }
if [ -n "$dependent" ]; then
  # The merge as a job of its own, started only when every task succeeded. Nobody waits for
  # it: a failed merge leaves OUT/merge-failed.txt (its error), so it is not seen only in a log.
  rm -f "$out/merge-failed.txt"
  job=$(sbatch "${options[@]}" "${task[@]}")
  job=${job%%;*}
  # shellcheck disable=SC2086
  merge_job=$(sbatch --parsable --dependency="afterok:$job" --kill-on-invalid-dep=yes --output="$out/log-merge-%j.txt" ${SBATCH_OPTIONS:-} \
    --wrap="\"$kairos\" sweep merge $(parts) --out \"$out/results.csv\" ${merge:-} 2> \"$out/merge.err\" || { status=\$?; head -1 \"$out/merge.err\" > \"$out/merge-failed.txt\"; cat \"$out/merge.err\" >&2; exit \$status; }")
  merge_job=${merge_job%%;*}
  echo "submitted array job $job ($array of $n shards) and merge job $merge_job (afterok: cancelled if a shard fails)"
  echo "result: $out/results.csv; a failed merge writes $out/merge-failed.txt; states: sacct -j $job,$merge_job"
  exit 0
fi
set +e
job=$(sbatch "${options[@]}" --wait "${task[@]}")
status=$?
set -e
job=${job%%;*}
if [ $status -ne 0 ]; then
  failed=()
  for ((i = 0; i < n; i++)); do [ -s "$out/part-$i.manifest.json" ] || failed+=("$i"); done
  echo "run-sweep.sh: the array job ${job:-?} failed (exit $status); shards without a part: ${failed[*]:-none}" >&2
  for i in "${failed[@]}"; do
    log="$out/log-${job}_$i.txt"
    [ -f "$log" ] && { echo "--- shard $i/$n ($log):" >&2; tail -5 "$log" >&2; }
  done
  echo "re-run only those: $0 -n $n -o $out -r $(IFS=,; echo "${failed[*]}") -- $*" >&2
  exit "$status"
fi
# shellcheck disable=SC2046,SC2086
eval "\"$kairos\" sweep merge $(parts) --out \"$out/results.csv\" ${merge:-}"
