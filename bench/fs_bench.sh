#!/bin/bash
# fs_bench.sh [RUNS]: spxfs side by side with a native ext4 directory,
# bindfs and libfuse's passthrough_hp, in one run. Workloads: unpack a
# tarball of /usr/include and rm -rf it; create, stat and unlink 5,000
# files. Prints the median of RUNS (default 5) per target and its ratio to
# native. Run as root from a built tree (meson setup build && ninja -C build).
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SPXFS=${SPX_BUILD:-build}/fs/spxfs
[ -x "$SPXFS" ] || { echo "build spxfs first (meson setup build && ninja -C build)" >&2; exit 2; }
command -v bindfs >/dev/null || apt-get install -y -q --no-install-recommends bindfs >/dev/null
bench/build-passthrough-hp.sh >/dev/null
PHP=bench/.cache/passthrough_hp
cc -O2 -o bench/.cache/smallfiles bench/smallfiles.c

w=$(mktemp -d /tmp/spx-bench.XXXXXX)
mnt=$w/mnt
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || true
	rm -rf --one-file-system "$w"
}
trap cleanup EXIT
mkdir -p "$w/backing" "$mnt"
tar -C /usr -cf "$w/include.tar" include
echo "tarball: $(tar -tf "$w/include.tar" | wc -l) entries, $(du -m "$w/include.tar" | cut -f1) MiB; $RUNS runs each, medians in ms"

# mount_target NAME: makes $target the directory to work in.
mount_target() {
	case $1 in
	native) target=$w/backing ;;
	spxfs) "$SPXFS" "$w/backing" "$mnt"; target=$mnt ;;
	bindfs) bindfs "$w/backing" "$mnt"; target=$mnt ;;
	passthrough_hp) "$PHP" "$w/backing" "$mnt"; target=$mnt ;;
	esac
}
umount_target() { [ "$1" = native ] || fusermount3 -u "$mnt"; }

ms() { local s=$(date +%s%N); "$@" >/dev/null; echo $((($(date +%s%N) - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A result
targets=(native spxfs bindfs passthrough_hp)
for t in "${targets[@]}"; do
	untar=() rmrf=() cr=() st=() un=()
	for r in $(seq "$RUNS"); do
		mount_target "$t"
		untar+=("$(ms tar -C "$target" -xf "$w/include.tar")")
		rmrf+=("$(ms rm -rf "$target/include")")
		read -r c s u < <(bench/.cache/smallfiles "$target" 5000)
		cr+=("$c") st+=("$s") un+=("$u")
		umount_target "$t"
	done
	result[$t,untar]=$(printf '%s\n' "${untar[@]}" | median)
	result[$t,rmrf]=$(printf '%s\n' "${rmrf[@]}" | median)
	result[$t,create]=$(printf '%s\n' "${cr[@]}" | median)
	result[$t,stat]=$(printf '%s\n' "${st[@]}" | median)
	result[$t,unlink]=$(printf '%s\n' "${un[@]}" | median)
done

printf '%-16s' workload
for t in "${targets[@]}"; do printf '%22s' "$t"; done
echo
for wl in untar rmrf create stat unlink; do
	case $wl in untar) label="untar include" ;; rmrf) label="rm -rf include" ;; *) label="5000 $wl" ;; esac
	printf '%-16s' "$label"
	base=${result[native,$wl]}
	for t in "${targets[@]}"; do
		v=${result[$t,$wl]}
		printf '%14s ms %5sx' "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN{printf "%.1f", (b>0? a/b : 0)}')"
	done
	echo
done
