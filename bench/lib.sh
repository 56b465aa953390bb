# Shared by the benchmark scripts: targets (a directory to work in, mounted
# or not), timing, medians and the side-by-side table.
#
# A script sets TARGETS and WORKLOADS, then calls run_all RUNS.
# Workloads are functions `wl_NAME DIR` that print the milliseconds of the
# part they time (one or more lines "NAME MS").

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SPXFS=${SPX_BUILD:-build}/fs/spxfs
[ -x "$SPXFS" ] || { echo "build spxfs first (meson setup build && ninja -C build)" >&2; exit 2; }
mkdir -p bench/.cache
cc -O2 -o bench/.cache/smallfiles bench/smallfiles.c

W=$(mktemp -d /tmp/spx-bench.XXXXXX)
MNT=$W/mnt
bench_cleanup() {
	fusermount3 -u "$MNT" 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap bench_cleanup EXIT
mkdir -p "$W/backing" "$MNT"

# mount_target NAME: sets TARGET_DIR to the directory to work in.
mount_target() {
	rm -f "$W/audit.log"
	case $1 in
	native) TARGET_DIR=$W/backing; return ;;
	spxfs) "$SPXFS" "$W/backing" "$MNT" ;;
	spxfs-none | spxfs-batch | spxfs-strict)
		"$SPXFS" --audit-log="$W/audit.log" --audit-sync="${1#spxfs-}" "$W/backing" "$MNT" ;;
	bindfs) bindfs "$W/backing" "$MNT" ;;
	passthrough_hp) bench/.cache/passthrough_hp "$W/backing" "$MNT" ;;
	*) echo "unknown target $1" >&2; exit 2 ;;
	esac
	TARGET_DIR=$MNT
}
umount_target() {
	[ "$1" = native ] && return
	fusermount3 -u "$MNT"
	# an audited daemon finishes its log after the unmount returns
	local i
	for i in $(seq 100); do pgrep -f "spxfs .*$W/backing" >/dev/null || break; sleep 0.05; done
}

ms() { local s; s=$(date +%s%N); "$@" >/dev/null; echo $((($(date +%s%N) - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A SAMPLES
run_all() {
	local runs=$1 t r line name v
	for t in "${TARGETS[@]}"; do
		for r in $(seq "$runs"); do
			mount_target "$t"
			for wl in "${WORKLOADS[@]}"; do
				while read -r name v; do
					SAMPLES[$t,$name]+="$v "
				done < <("wl_$wl" "$TARGET_DIR")
			done
			umount_target "$t"
		done
	done
	print_table
}

print_table() {
	local names=() t n base v
	for k in "${!SAMPLES[@]}"; do n=${k#*,}; [[ " ${names[*]} " == *" $n "* ]] || names+=("$n"); done
	printf '%-18s' workload
	for t in "${TARGETS[@]}"; do printf '%20s' "$t"; done
	echo
	for n in "${ORDER[@]}"; do
		printf '%-18s' "$n"
		base=$(echo ${SAMPLES[native,$n]} | tr ' ' '\n' | median)
		for t in "${TARGETS[@]}"; do
			v=$(echo ${SAMPLES[$t,$n]} | tr ' ' '\n' | median)
			printf '%11s ms %5sx' "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN{printf "%.2f", (b>0? a/b : 0)}')"
		done
		echo
	done
}

# The workloads.
wl_untar() {
	echo "untar-include $(ms tar -C "$1" -xf "$W/include.tar")"
	echo "rm-rf-include $(ms rm -rf "$1/include")"
}
make_tarball() {
	[ -f "$W/include.tar" ] || tar -C /usr -cf "$W/include.tar" include
	echo "tarball: $(tar -tf "$W/include.tar" | wc -l) entries, $(du -m "$W/include.tar" | cut -f1) MiB"
}
wl_smallfiles() {
	local c s u
	read -r c s u < <(bench/.cache/smallfiles "$1" 5000)
	echo "5000-create ${c%.*}"
	echo "5000-stat ${s%.*}"
	echo "5000-unlink ${u%.*}"
}
wl_bigfile() {
	echo "1GiB-write $(ms dd if=/dev/zero of="$1/big" bs=1M count=1024 conv=fsync status=none)"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo "1GiB-read $(ms dd if="$1/big" of=/dev/null bs=1M status=none)"
	rm -f "$1/big"
}
