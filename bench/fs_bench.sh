#!/bin/bash
# fs_bench.sh [RUNS]: spxfs side by side with a native ext4 directory,
# bindfs and libfuse's passthrough_hp, in one run: unpack a tarball of
# /usr/include and rm -rf it; create, stat and unlink 5,000 files. Medians
# of RUNS (default 5) and the ratio to native. Run as root from a built tree.
set -eu
. "$(dirname "$0")/lib.sh"
command -v bindfs >/dev/null || apt-get install -y -q --no-install-recommends bindfs >/dev/null
bench/build-passthrough-hp.sh >/dev/null
make_tarball
TARGETS=(native spxfs bindfs passthrough_hp)
WORKLOADS=(untar smallfiles)
ORDER=(untar-include rm-rf-include 5000-create 5000-stat 5000-unlink)
run_all "${1:-5}"
