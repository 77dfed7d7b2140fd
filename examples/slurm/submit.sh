#!/bin/bash
# examples/slurm/submit.sh SHARDS CONFIG OUTDIR [generate options...]: submits the array and the merge.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shards=${1:?usage: submit.sh SHARDS CONFIG OUTDIR [options]}; config=$2; out=$3; shift 3
array=$(sbatch --parsable --array=0-$((shards - 1)) "$here/generate.sbatch" "$config" "$out" "$@")
sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch" "$out"
