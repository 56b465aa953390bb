#!/bin/bash
# audit_bench.sh [RUNS]: the cost of the audit log. spxfs without a log and
# with --audit-sync none, batch and strict, beside native ext4, in one run:
# untar + rm -rf of /usr/include, 5,000 creates/stats/unlinks, and a 1 GiB
# sequential write (with fsync) and read (caches dropped). Medians of RUNS
# (default 3) and the ratio to native. Run as root from a built tree.
set -eu
. "$(dirname "$0")/lib.sh"
make_tarball
TARGETS=(native spxfs spxfs-none spxfs-batch spxfs-strict)
WORKLOADS=(untar smallfiles bigfile)
ORDER=(untar-include rm-rf-include 5000-create 5000-stat 5000-unlink 1GiB-write 1GiB-read-cold 1GiB-read-warm)
run_all "${1:-3}"
