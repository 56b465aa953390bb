#!/bin/bash
# fs_bench.sh [RUNS] [ext4|tmpfs]: spxfs and spxbox side by side with
# native, libfuse's passthrough_hp (also with it and the workload pinned to
# one CPU by hand) and bindfs, in one run: unpack a tarball of
# /usr/include and rm -rf it; create, stat and unlink 5,000 files; two
# threads looking up 5,000 missing names each in one directory; write
# 1 GiB with fsync, read it back cold and again from the page cache.
# spx runs without a log (spxfs) and with its audit log on (-batch:
# --audit-sync batch); the others have none. Medians of RUNS (default 3) and the ratio to native, for a backing
# directory on ext4 and on a tmpfs (both unless one is named). Run as root
# from a built tree.
set -eu
if [ $# -lt 2 ]; then
	for fs in ext4 tmpfs; do BENCH_FS=$fs "$0" "${1:-3}" "$fs"; echo; done
	exit 0
fi
export BENCH_FS=$2
. "$(dirname "$0")/lib.sh"
command -v bindfs >/dev/null || apt-get install -y -q --no-install-recommends bindfs >/dev/null
bench/build-passthrough-hp.sh >/dev/null
make_tarball
# FS_TARGETS, FS_WORKLOADS: a subset, for measuring one lever
read -r -a TARGETS <<<"${FS_TARGETS:-native spxfs spxfs-batch spxbox-batch passthrough_hp passthrough_hp-pinned bindfs}"
read -r -a WORKLOADS <<<"${FS_WORKLOADS:-untar smallfiles lookups bigfile}"
ORDER=(untar-include rm-rf-include 5000-create 5000-stat 5000-unlink 2x5000-lookup 1GiB-write 1GiB-read-cold 1GiB-read-warm)
run_all "$1"
"$SPXBOX" --version
