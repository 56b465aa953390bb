#!/bin/bash
# box_bench.sh [RUNS]: spxbox beside bubblewrap, in one run.
#  - start-up: `spxbox --system --root D -- /bin/true` (spxbox serves D
#    itself), and `spxbox --system --fs M` on a running spxfs mount M,
#    against bwrap with M bound as / (the same filesystem under both);
#  - the seccomp filter's cost: a raw getpid loop under spxbox's filter
#    against the same loop with no filter, and with a one-instruction
#    allow-everything filter (the kernel's seccomp entry alone: the floor
#    of any filter);
#  - how many system calls the default policy allows.
# Medians of RUNS (default 20). Run as root from a built tree.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-20}
B=${SPX_BUILD:-build}
command -v bwrap >/dev/null || apt-get install -y -q --no-install-recommends bubblewrap >/dev/null
mkdir -p bench/.cache
cc -O2 -o bench/.cache/getpid_loop bench/getpid_loop.c
w=$(mktemp -d /tmp/spx-boxbench.XXXXXX)
cleanup() { fusermount3 -u "$w/mnt" 2>/dev/null || true; rm -rf --one-file-system "$w"; }
trap cleanup EXIT
mkdir -p "$w/d" "$w/mnt" "$w/bw" "$w/tools"
chown 65534 "$w/d" "$w/bw"
# the mount points --fs wants the mount to hold (bwrap makes its own)
mkdir -p "$w/bw/proc" "$w/bw/dev" "$w/bw/etc" "$w/bw/tmp"
for dir in usr bin sbin lib lib32 lib64 libx32; do [ -e "/$dir" ] && mkdir -p "$w/bw/$dir"; done
cp bench/.cache/getpid_loop "$w/tools/"
ms() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - s) / 100000)); } # 0.1 ms
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$B/fs/spxfs" -o allow_other "$w/bw" "$w/mnt"
bw=() sb=() sf=()
for i in $(seq "$RUNS"); do
	sb+=("$(ms "$B/sandbox/spxbox" --system --root "$w/d" -- /bin/true)")
	sf+=("$(ms "$B/sandbox/spxbox" --system --fs "$w/mnt" -- /bin/true)")
	bw+=("$(ms bwrap --bind "$w/mnt" / --ro-bind /usr /usr --symlink usr/bin /bin \
		--symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin \
		--proc /proc --dev /dev --unshare-all --die-with-parent /bin/true)")
done
s_med=$(printf '%s\n' "${sb[@]}" | median)
f_med=$(printf '%s\n' "${sf[@]}" | median)
b_med=$(printf '%s\n' "${bw[@]}" | median)
awk -v s="$s_med" -v b="$b_med" 'BEGIN{printf "start-up /bin/true: spxbox --root %.1f ms, bwrap on spxfs %.1f ms, ratio %.2fx\n", s/10, b/10, s/b}'
awk -v s="$f_med" -v b="$b_med" 'BEGIN{printf "start-up /bin/true: spxbox --fs %.1f ms, bwrap on spxfs %.1f ms, ratio %.2fx\n", s/10, b/10, s/b}'

native=() filtered=() floor=()
for i in $(seq 5); do
	native+=("$(bench/.cache/getpid_loop 5000000)")
	floor+=("$(bench/.cache/getpid_loop 5000000 allow-all)")
	filtered+=("$("$B/sandbox/spxbox" --system --root "$w/d" --ro-bind "$w/tools" /tools -- /tools/getpid_loop 5000000 2>/dev/null || echo 0)")
done
n_med=$(printf '%s\n' "${native[@]}" | median)
g_med=$(printf '%s\n' "${filtered[@]}" | median)
l_med=$(printf '%s\n' "${floor[@]}" | median)
awk -v n="$n_med" -v f="$g_med" -v l="$l_med" 'BEGIN{printf "getpid: %.1f ns unfiltered, %.1f ns under an allow-all filter (%.2fx), %.1f ns under spxbox'"'"'s (%.2fx; %.2fx the floor)\n", n, l, l/n, f, f/n, f/l}'
"$B/sandbox/spxbox" --version
