#!/usr/bin/env bash
# Starts (or stops) a real single-node Slurm for the sweep tests: munged,
# slurmctld and slurmd from Debian's munge and slurm-wlm packages, no systemd,
# every file (key, sockets, state, spool, logs, slurm.conf) under DIR, on ports
# of its own. Prints the SLURM_CONF to export. Needs root (slurmd runs jobs as
# their users).
#   slurm_single_node.sh start DIR   -> prints the path of DIR/slurm.conf once the node is idle
#   slurm_single_node.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=$(realpath -m "${2:?DIR}")
conf=$dir/slurm.conf

stop() {
  for pidfile in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm_single_node: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "slurm_single_node: slurmd must run as root" >&2; exit 2; }
mkdir -p "$dir"/state "$dir"/spool "$dir"/munge
chmod 700 "$dir"/munge
head -c 1024 /dev/urandom > "$dir"/munge/munge.key
chmod 400 "$dir"/munge/munge.key
munged --force --key-file="$dir"/munge/munge.key --socket="$dir"/munge/munge.socket \
  --pid-file="$dir"/munged.pid --log-file="$dir"/munged.log --seed-file="$dir"/munge/seed
host=$(hostname -s)
# Ports of this run's own (from its process id), so two test runs never meet.
base=$((20000 + ($$ % 20000) * 2))
cpus=$(nproc)
cat > "$conf" <<CONF
ClusterName=hwsimtest
SlurmctldHost=$host
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=hwsim Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 1 60); do
  if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then echo "$conf"; exit 0; fi
  sleep 0.5
done
echo "slurm_single_node: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 1
