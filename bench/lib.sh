# Shared by the benchmark scripts: targets (a directory to work in, mounted
# or not, or a job under spxbox), timing, medians and the side-by-side
# table.
#
# A script sets TARGETS and WORKLOADS, then calls run_all RUNS. Workloads
# are functions `wl_NAME DIR` that run their commands through $RUN (empty,
# or spxbox, or taskset) with the helpers and the tarball in $TOOLS, and
# print the milliseconds of the part they time (one or more lines
# "NAME MS"). BENCH_FS=ext4 (default) or tmpfs says where the backing
# directory lives: a tmpfs shows what the FUSE path itself costs.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SPXFS=${SPX_BUILD:-build}/fs/spxfs
SPXBOX=${SPX_BUILD:-build}/sandbox/spxbox
[ -x "$SPXFS" ] || { echo "build spxfs first (meson setup build && ninja -C build)" >&2; exit 2; }

W=$(mktemp -d /tmp/spx-bench.XXXXXX)
MNT=$W/mnt
BACKING=$W/backing
[ "${BENCH_FS:-ext4}" = tmpfs ] && BACKING=$(mktemp -d /dev/shm/spx-bench.XXXXXX)
bench_cleanup() {
	fusermount3 -u "$MNT" 2>/dev/null || true
	rm -rf --one-file-system "$W" "$BACKING"
}
trap bench_cleanup EXIT
mkdir -p "$BACKING" "$MNT" "$W/tools"
cc -O2 -o "$W/tools/smallfiles" bench/smallfiles.c
cc -O2 -o "$W/tools/seqread" bench/seqread.c
cc -O2 -pthread -o "$W/tools/lookups" bench/lookups.c
TOOLS_HOST=$W/tools

BOX_EXTRA=()

# mount_target NAME: sets TARGET_DIR to the directory to work in, RUN to
# what runs the workload's commands, TOOLS to where they find theirs and
# HOST_DIR to where this script puts a workload's untimed input.
#  spxbox, spxbox-batch: each command is a job, ROOT the backing directory
#    (its own start-up, ~12 ms, is in untar's and rm's figures; the file
#    loops time themselves); -batch records it in an audit log.
#  passthrough_hp-pinned: the daemon and the workload on CPU 0, as a user
#    of it could do by hand; what spxbox does for its jobs by default.
mount_target() {
	rm -f "$W/audit.log"
	RUN=() TOOLS=$TOOLS_HOST TARGET_DIR=$MNT HOST_DIR=$MNT
	case $1 in
	native) TARGET_DIR=$BACKING HOST_DIR=$BACKING ;;
	spxfs) "$SPXFS" "$BACKING" "$MNT" ;;
	spxfs-none | spxfs-batch | spxfs-strict)
		"$SPXFS" --audit-log="$W/audit.log" --audit-sync="${1#spxfs-}" "$BACKING" "$MNT" ;;
	spxbox | spxbox-batch)
		BOX_LOG=()
		[ "$1" = spxbox-batch ] && BOX_LOG=(--audit-log "$W/audit.log" --audit-sync batch)
		RUN=(box_run) TOOLS=/tools TARGET_DIR=/ HOST_DIR=$BACKING ;;
	bindfs) bindfs "$BACKING" "$MNT" ;;
	passthrough_hp) bench/.cache/passthrough_hp "$BACKING" "$MNT" ;;
	passthrough_hp-pinned)
		taskset -c 0 bench/.cache/passthrough_hp "$BACKING" "$MNT"
		RUN=(taskset -c 0) ;;
	*) echo "unknown target $1" >&2; exit 2 ;;
	esac
}
box_run() { # each command a job, each job its own log
	rm -f "$W/audit.log"
	"$SPXBOX" --quiet --system --root "$BACKING" --ro-bind "$TOOLS_HOST" /tools "${BOX_LOG[@]}" \
		"${BOX_EXTRA[@]}" -- "$@" \
		2> >(grep -v '^spxbox: audit log .* closed; chain head' >&2)
}
umount_target() {
	case $1 in native | spxbox*) return ;; esac
	fusermount3 -u "$MNT"
	# an audited daemon finishes its log after the unmount returns
	local i
	for i in $(seq 100); do pgrep -f "spxfs .*$BACKING" >/dev/null || break; sleep 0.05; done
}

ms() { local s; s=$(date +%s%N); "$@" >/dev/null; echo $((($(date +%s%N) - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A SAMPLES
run_all() {
	run_targets "$1"
	print_table "$1"
}
run_targets() {
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
}

# table_header FIRST COLUMN...: a Markdown table's first two lines
table_header() {
	local first=$1 t
	shift
	printf '| %s |' "$first"
	for t in "$@"; do printf ' %s |' "$t"; done
	printf '\n|---|'
	for t in "$@"; do printf -- '---|'; done
	echo
}

print_table() {
	local names=() t n base v
	for k in "${!SAMPLES[@]}"; do n=${k#*,}; [[ " ${names[*]} " == *" $n "* ]] || names+=("$n"); done
	echo "backing directory: ${BENCH_FS:-ext4} ($BACKING); medians of $1 runs; time and ratio to native"
	echo
	table_header workload "${TARGETS[@]}"
	for n in "${ORDER[@]}"; do
		[ -n "${SAMPLES[${TARGETS[0]},$n]:-}" ] || continue # a workload not run
		printf '| %s |' "$n"
		base=$(echo ${SAMPLES[native,$n]:-} | tr ' ' '\n' | median)
		for t in "${TARGETS[@]}"; do
			v=$(echo ${SAMPLES[$t,$n]:-} | tr ' ' '\n' | median)
			printf ' %s ms %sx |' "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN{printf "%.2f", (b>0? a/b : 0)}')"
		done
		echo
	done
}

# The workloads.
wl_untar() {
	echo "untar-include $(ms "${RUN[@]}" tar -C "$1" -xf "$TOOLS/include.tar")"
	echo "rm-rf-include $(ms "${RUN[@]}" rm -rf "$1/include")"
}
make_tarball() {
	tar -C /usr -cf "$TOOLS_HOST/include.tar" include
	echo "tarball: $(tar -tf "$TOOLS_HOST/include.tar" | wc -l) entries, $(du -m "$TOOLS_HOST/include.tar" | cut -f1) MiB"
}
wl_smallfiles() {
	local c s u
	read -r c s u < <("${RUN[@]}" "$TOOLS/smallfiles" "$1" 5000)
	echo "5000-create ${c%.*}"
	echo "5000-stat ${s%.*}"
	echo "5000-unlink ${u%.*}"
}
wl_lookups() { # two threads, 5,000 missing names each, one directory
	mkdir -p "$HOST_DIR/lookups"
	echo "2x5000-lookup $("${RUN[@]}" "$TOOLS/lookups" "$1/lookups" 5000 2 | cut -d. -f1)"
	rm -rf "$HOST_DIR/lookups"
}
wl_bigfile() {
	local cold warm
	echo "1GiB-write $(ms "${RUN[@]}" dd if=/dev/zero of="$1/big" bs=1M count=1024 conv=fsync status=none)"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	read -r cold warm < <("${RUN[@]}" "$TOOLS/seqread" "$1/big" 2)
	echo "1GiB-read-cold ${cold%.*}"
	echo "1GiB-read-warm ${warm%.*}"
	"${RUN[@]}" rm -f "$1/big"
}

# A real build: zstd's command-line program from Debian's source package
# (108 C files and headers in a tree of 646 files), `make -j2`, as a job
# that may fork and exec. The source is fetched once into bench/.cache.
zstd_source() {
	local d=bench/.cache/zstd-src
	if [ ! -d "$d/src" ]; then
		rm -rf "$d" && mkdir -p "$d"
		# the security mirror has no sources: the release's own version
		(cd "$d" && apt-get source -q "libzstd=$(apt-cache show libzstd1 | sed -n 's/^Version: //p' | grep -v deb12u | head -1)" >/dev/null 2>&1)
		mv "$d"/libzstd-*/ "$d/src"
	fi
	echo "$d/src"
}
wl_make() {
	cp -a "$ZSTD_SRC" "$HOST_DIR/zstd"
	echo "make-j2-zstd $(ms "${RUN[@]}" make -s -j2 -C "$1/zstd/programs" zstd)"
	rm -rf "$HOST_DIR/zstd"
}
# python3 -m compileall of the standard library's tree (one process).
wl_compileall() {
	cp -a /usr/lib/python3.11 "$HOST_DIR/py"
	find "$HOST_DIR/py" -name __pycache__ -prune -exec rm -rf {} +
	echo "compileall-stdlib $(ms "${RUN[@]}" python3 -m compileall -q "$1/py")"
	rm -rf "$HOST_DIR/py"
}
