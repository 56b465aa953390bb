#!/bin/bash
# mem_bench.sh [FILES]: spxfs's resident memory, beside passthrough_hp's:
# idle just after the mount, and after `find -ls` has looked up FILES
# (default 100,000) files so that each has an inode in the daemon's
# table (passthrough_hp: at most 15,000); the difference per cached inode. The audit log is on (batch).
# Run as root from a built tree.
set -eu
cd "$(dirname "$0")/.."
B=${SPX_BUILD:-build}
N=${1:-100000}
bench/build-passthrough-hp.sh >/dev/null
w=$(mktemp -d /tmp/spx-membench.XXXXXX)
cleanup() { fusermount3 -u "$w/mnt" 2>/dev/null || true; rm -rf --one-file-system "$w"; }
trap cleanup EXIT
mkdir -p "$w/d" "$w/mnt"
(cd "$w/d" && for i in $(seq 0 $((N / 1000 - 1))); do
	mkdir "d$i" && (cd "d$i" && touch $(seq -f 'f%g' 1000))
done)
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
measure() { # name files command...: looks up the first FILES files
	local name=$1 files=$2 pid idle full
	shift 2
	"$@" &
	pid=$!
	for i in $(seq 200); do mountpoint -q "$w/mnt" && break; sleep 0.05; done
	idle=$(rss_kib "$pid")
	(cd "$w/mnt" && find $(seq -f 'd%g' 0 $((files / 1000 - 1))) -ls >/dev/null)
	full=$(rss_kib "$pid")
	fusermount3 -u "$w/mnt"
	wait "$pid" || true
	awk -v n="$name" -v i="$idle" -v f="$full" -v c="$files" 'BEGIN{printf "%-15s idle %6.1f MiB, with %d inodes cached %6.1f MiB, %5.0f bytes per inode\n", n, i/1024, c, f/1024, (f-i)*1024/c}'
}
measure spxfs "$N" "$B/fs/spxfs" -f --audit-log="$w/audit.log" "$w/d" "$w/mnt"
# passthrough_hp holds a descriptor per inode: it stops at the open-file
# limit (20,000 here), so it looks up at most 15,000
measure passthrough_hp "$((N < 15000 ? N : 15000))" bench/.cache/passthrough_hp --foreground "$w/d" "$w/mnt"
