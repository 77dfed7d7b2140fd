#!/usr/bin/env bash
# Runs examples/slurm/ against a real single-node Slurm on this machine (Debian's slurm-wlm:
# slurmctld + slurmd on localhost, munge for auth) and checks that the merged dataset of a 4-task job
# array is byte-identical to a single-process run. Needs root (it starts the daemons); installs
# slurm-wlm and munge if missing; stops everything it started on exit.
#   scripts/slurm_local_test.sh [FRAMES, default 24]
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-24}
repo=$PWD
[[ $(id -u) -eq 0 ]] || { echo "run as root: it starts slurmctld, slurmd and munged" >&2; exit 2; }
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge; break; }
done
[[ -x build/synthlabel ]] || scripts/setup.sh

work=$(mktemp -d /tmp/synthlabel-slurm.XXXXXX)
chmod 755 "$work"
cleanup() {
  [[ -f $work/slurmd.pid ]] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null || true
  [[ -f $work/slurmctld.pid ]] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null || true
  [[ -f $work/munged.pid ]] && kill "$(cat "$work/munged.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: a private key and socket, so nothing system-wide is touched.
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge" 2>/dev/null || true
chmod 700 "$work/munge"; chmod 400 "$work/munge/munge.key"
runuser -u munge -- munged --key-file="$work/munge/munge.key" --socket="$work/munge/sock" \
  --pid-file="$work/munged.pid" --log-file="$work/munge/log" --seed-file="$work/munge/seed" --force 2>/dev/null ||
  munged --key-file="$work/munge/munge.key" --socket="$work/munge/sock" --pid-file="$work/munged.pid" \
    --log-file="$work/munge/log" --seed-file="$work/munge/seed" --force
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=synthlabel-test
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
NodeName=$(hostname -s) NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix" && break; sleep 1; done
sinfo

export SYNTHLABEL=$repo/build/synthlabel
cfg=$repo/configs/quickstart.yaml
opts=(--frames "$frames" --resolution 320x240)
cd "$work"
merge_job=$("$repo/examples/slurm/submit.sh" 4 "$cfg" "$work/run" "${opts[@]}")
echo "submitted: 4 array tasks + merge job $merge_job"
for _ in $(seq 600); do
  squeue -h | grep -q . || break
  sleep 1
done
sacct >/dev/null 2>&1 || true
cat "$work"/synthlabel-*.log 2>/dev/null | grep -E "error|wrote|merged" || true
"$SYNTHLABEL" generate "$cfg" --out "$work/single" "${opts[@]}" --quiet
if diff -r "$work/single" "$work/run/dataset" >/dev/null; then
  echo "PASS: Slurm job array (4 tasks) + merge == single run ($(find "$work/single" -type f | wc -l) files, byte-identical)"
else
  echo "FAIL: merged dataset differs from a single run" >&2
  diff -rq "$work/single" "$work/run/dataset" | head >&2
  exit 1
fi
