#!/bin/bash
# undo_bench.sh [RUNS]: what --undo-dir costs. spxfs with its log
# (batch) without and with --undo-dir, native beside, on ext4 (pre-images
# copied) and on an XFS image made here (pre-images reflinked): untar
# /usr/include into an empty directory (nothing but directories to keep),
# untar it over a copy of itself that was there before the job (8,899
# files replaced: each kept first), 5,000 creates, and a rewrite of a
# 1 GiB file that was there before (O_TRUNC, 1 GiB written, fsync). Medians of RUNS (default 3) and the ratio to spxfs without undo;
# the space the undo directory took. Run as root from a built tree.
set -eu
cd "$(dirname "$0")/.."
B=${SPX_BUILD:-build}
[ -x "$B/fs/spxfs" ] || { echo "build first (meson setup build && ninja -C build)" >&2; exit 2; }
RUNS=${1:-3}
W=$(mktemp -d /tmp/spx-bench.XXXXXX)
cleanup() {
	fusermount3 -u "$W/mnt" 2>/dev/null || true
	umount "$W/xfs" 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
mkdir "$W/mnt" "$W/ext4" "$W/xfs"
tar -C /usr -cf "$W/include.tar" include
cc -O2 -Ibench -o "$W/smallfiles" bench/smallfiles.c
truncate -s 6G "$W/xfs.img"
mkfs.xfs -q -m reflink=1 "$W/xfs.img"
mount -o loop "$W/xfs.img" "$W/xfs"
ms() { local s; s=$(date +%s%N); "$@" >/dev/null; echo $((($(date +%s%N) - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A T
declare -A SPACE
run() { # FS TARGET: one run of every workload
	local fs=$1 target=$2 base=$W/$1/root dir=$W/mnt undo=()
	rm -rf "$base" "$W/$fs/undo" "$W/$fs/log"
	mkdir -p "$base/new" "$base/old" "$base/small"
	tar -C "$base/old" -xf "$W/include.tar" # there before the job
	head -c $((1 << 30)) /dev/zero >"$base/big"
	sync
	case $target in
	native) dir=$base ;;
	spxfs) "$B/fs/spxfs" --audit-log="$W/$fs/log" "$base" "$dir" ;;
	spxfs-undo)
		undo=(--undo-dir="$W/$fs/undo")
		"$B/fs/spxfs" --audit-log="$W/$fs/log" "${undo[@]}" "$base" "$dir" ;;
	esac
	T[$fs,$target,untar]+=" $(ms tar -C "$dir/new" -xf "$W/include.tar")"
	T[$fs,$target,untar-over]+=" $(ms tar -C "$dir/old" -xf "$W/include.tar")"
	T[$fs,$target,5000-create]+=" $("$W/smallfiles" "$dir/small" 5000 | awk '{printf "%d", $1}')"
	T[$fs,$target,1GiB-rewrite]+=" $(ms dd if=/dev/zero of="$dir/big" bs=1M count=1024 conv=fsync status=none)"
	if [ "$target" != native ]; then
		fusermount3 -u "$dir"
		for i in $(seq 100); do tail -1 "$W/$fs/log" | grep -q '"end"' && break; sleep 0.05; done
	fi
	[ -d "$W/$fs/undo" ] && sync && SPACE[$fs]="$(du -sk "$W/$fs/undo" | cut -f1) KiB (du), $(jq -r 'select(.op=="preserve" and .type=="file") | .method' "$W/$fs/log" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
	return 0
}
for fs in ext4 xfs; do
	for r in $(seq "$RUNS"); do
		for target in native spxfs spxfs-undo; do run "$fs" "$target"; done
	done
done
for fs in ext4 xfs; do
	echo "$fs ($( [ $fs = xfs ] && echo 'loop image, reflinks' || echo 'copies')); medians of $RUNS runs"
	echo
	echo "| workload | native | spxfs | spxfs --undo-dir | undo / spxfs |"
	echo "|---|---|---|---|---|"
	for w in untar untar-over 5000-create 1GiB-rewrite; do
		n=$(echo ${T[$fs,native,$w]} | tr ' ' '\n' | median)
		a=$(echo ${T[$fs,spxfs,$w]} | tr ' ' '\n' | median)
		u=$(echo ${T[$fs,spxfs-undo,$w]} | tr ' ' '\n' | median)
		echo "| $w | $n ms | $a ms | $u ms | $(awk -v a="$a" -v u="$u" 'BEGIN{printf "%.2fx", (a>0? u/a : 0)}') |"
	done
	echo
	echo "undo directory after one run: ${SPACE[$fs]:-none}"
	echo
done
