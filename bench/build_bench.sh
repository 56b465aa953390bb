#!/bin/bash
# build_bench.sh [RUNS]: real builds in the directory, side by side in one
# run: `make -j2` of zstd's program from Debian's source package, and
# `python3 -m compileall` of Python's standard library — native, spxfs and
# spxbox with their audit log (batch), passthrough_hp and bindfs. Under
# spxbox, make runs with --allow-fork --allow-exec (so the job is not
# pinned to one CPU) and compileall as a one-process job. Medians of RUNS
# (default 1) and the ratio to native. Run as root from a built tree.
set -eu
. "$(dirname "$0")/lib.sh"
command -v bindfs >/dev/null || apt-get install -y -q --no-install-recommends bindfs >/dev/null
bench/build-passthrough-hp.sh >/dev/null
ZSTD_SRC=$(zstd_source)
TARGETS=(native spxfs-batch spxbox-batch passthrough_hp bindfs)
ORDER=(make-j2-zstd compileall-stdlib)
WORKLOADS=(compileall)
run_targets "${1:-1}"
# make forks and execs: under spxbox it needs both (and then runs unpinned)
BOX_EXTRA=(--allow-fork --allow-exec)
WORKLOADS=(make)
run_targets "${1:-1}"
print_table "${1:-1}"
