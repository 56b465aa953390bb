#!/bin/bash
# mem_bench.sh [FILES]: spxfs's resident memory, beside passthrough_hp's:
# idle just after the mount, and after `find -ls` has looked up FILES
# (default 100,000) files so that each has an inode in the daemon's
# table; the difference per cached inode. The audit log is on (batch).
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
measure() { # name command...
	local pid idle full
	"$@" &
	pid=$!
	for i in $(seq 200); do mountpoint -q "$w/mnt" && break; sleep 0.05; done
	idle=$(rss_kib "$pid")
	find "$w/mnt" -ls >/dev/null
	full=$(rss_kib "$pid")
	fusermount3 -u "$w/mnt"
	wait "$pid" || true
	awk -v n="$1" -v i="$idle" -v f="$full" -v c="$N" 'BEGIN{printf "%-15s idle %6.1f MiB, with %d inodes cached %6.1f MiB, %5.0f bytes per inode\n", n, i/1024, c, f/1024, (f-i)*1024/c}'
}
measure spxfs "$B/fs/spxfs" -f --audit-log="$w/audit.log" "$w/d" "$w/mnt"
measure passthrough_hp bench/.cache/passthrough_hp --foreground "$w/d" "$w/mnt"
