#!/bin/bash
# request_counts.sh [BUILD...]: what the kernel asks of each file server for
# the same work, counted from libfuse's debug output: spxfs with its audit
# log (batch) from each BUILD directory (default: build), beside libfuse's
# passthrough_hp (no log). Each request the caller waits for is a round
# trip between two threads, on this kind of VM most of a request's cost;
# unlike a time, a count does not vary from run to run, so it shows what a
# lever removed. Workloads: untar of /usr/include, rm -rf of it, 5,000
# creates, stats and unlinks, 64 MiB in 4 KiB writes. ROOT on a tmpfs.
# Run as root from a built tree.
set -eu
BUILDS=("$@")
[ ${#BUILDS[@]} -gt 0 ] || BUILDS=(build)
export BENCH_FS=tmpfs
SPX_BUILD=${BUILDS[0]}
. "$(dirname "$0")/lib.sh" # W, BACKING (a tmpfs), MNT, the helpers
bench/build-passthrough-hp.sh >/dev/null
tar -C /usr -cf "$W/include.tar" include
R=$BACKING

# serve NAME: mounts $R at $W/mnt with its debug output in $W/NAME.d
serve() {
	case $1 in
	passthrough_hp) bench/.cache/passthrough_hp --foreground --debug-fuse "$R" "$W/mnt" 2>"$W/${1//\//_}.d" & ;;
	*) "$1/fs/spxfs" -f -d --audit-log "$W/log" --audit-sync batch "$R" "$W/mnt" 2>"$W/${1//\//_}.d" & ;;
	esac
	local i
	for i in $(seq 500); do mountpoint -q "$W/mnt" && return 0; sleep 0.01; done
	echo "could not mount $1" >&2
	exit 1
}
# mark: a LISTXATTR of the mount's root, which no workload asks for: the
# line between two workloads in the debug output
mark() { python3 -c 'import os, sys; os.listxattr(sys.argv[1])' "$W/mnt"; }

TARGETS=("${BUILDS[@]}" passthrough_hp)
for t in "${TARGETS[@]}"; do
	rm -rf "${R:?}"/* "$W/log"
	serve "$t"
	mark
	tar -C "$W/mnt" -xf "$W/include.tar"
	mark
	rm -rf "$W/mnt/include"
	mark
	"$TOOLS_HOST/smallfiles" "$W/mnt" 5000 >/dev/null
	mark
	dd if=/dev/zero of="$W/mnt/w" bs=4k count=16384 status=none
	mark
	fusermount3 -u "$W/mnt"
	wait
done

# counts NAME: "workload request count" lines
counts() {
	awk 'BEGIN { split("untar rm files writes end", names) }
		/opcode: / { op = $0; sub(/.*opcode: /, "", op); sub(/ .*/, "", op)
			if (op == "LISTXATTR") { k++; next }
			if (k >= 1 && k <= 4) n[names[k] " " op]++ }
		END { for (x in n) print x, n[x] }' "$W/${1//\//_}.d"
}
declare -A C
OPS=()
for t in "${TARGETS[@]}"; do
	while read -r wl op n; do
		C[$t,$wl,$op]=$n
		C[$t,$wl,all]=$((${C[$t,$wl,all]:-0} + n))
		[[ " ${OPS[*]} " == *" $op "* ]] || OPS+=("$op")
	done < <(counts "$t")
done
declare -A WHAT=([untar]="tar -x of /usr/include" [rm]="rm -rf of it"
	[files]="5,000 creates, stats and unlinks" [writes]="16,384 write(2)s of 4 KiB")
echo "requests the kernel sent, per workload (ROOT on a tmpfs; spxfs with its audit log, batch)"
for wl in untar rm files writes; do
	echo
	echo "$wl: ${WHAT[$wl]}"
	echo
	table_header request "${TARGETS[@]}"
	for op in $(printf '%s\n' "${OPS[@]}" | sort) all; do
		line=$(for t in "${TARGETS[@]}"; do printf ' %s |' "${C[$t,$wl,$op]:-0}"; done)
		[[ "$line" =~ [1-9] ]] && printf '| %s |%s\n' "$op" "$line"
	done
done
