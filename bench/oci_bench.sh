#!/bin/bash
# oci_bench.sh [RUNS]: container start-up under Podman with spxbox-oci
# against runc (crun refuses this machine's cgroup setup), on the same
# busybox image: `podman run --rm IMAGE true`, the whole engine round trip,
# medians of RUNS (default 10). Podman's storage is a temporary one. Run
# as root from a built tree.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-10}
RT=$(cd "${SPX_BUILD:-build}/sandbox" && pwd)/spxbox-oci
T=$(mktemp -d /tmp/spx-ocibench.XXXXXX)
P=(podman --root "$T/storage" --runroot "$T/run" --tmpdir "$T/tmp" --cgroup-manager cgroupfs
	--events-backend file)
cleanup() {
	"${P[@]}" rm -af >/dev/null 2>&1 || true
	"${P[@]}" system reset -f >/dev/null 2>&1 || true
	grep -o " $T/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount "$m" || true; done
	rm -rf --one-file-system "$T"
}
trap cleanup EXIT
mkdir -p "$T/img/bin" "$T/img/tmp" "$T/img/proc" "$T/img/dev" "$T/tmp"
cp /bin/busybox "$T/img/bin/"
ln -s busybox "$T/img/bin/true"
tar -C "$T/img" -cf "$T/img.tar" .
"${P[@]}" import "$T/img.tar" localhost/spx-bench:1 >/dev/null 2>&1
ms() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - s) / 100000)); } # 0.1 ms
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
RUN=(run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/spx-bench:1 true)
runc=() spx=() ids=()
for i in $(seq "$RUNS"); do
	runc+=("$(ms "${P[@]}" --runtime /usr/sbin/runc "${RUN[@]}")")
	spx+=("$(ms "${P[@]}" --runtime "$RT" --runtime-flag "root=$T/oci" "${RUN[@]}")")
done
r=$(printf '%s\n' "${runc[@]}" | median)
s=$(printf '%s\n' "${spx[@]}" | median)
awk -v r="$r" -v s="$s" 'BEGIN{printf "podman run --rm IMAGE true: runc %.1f ms, spxbox-oci %.1f ms, ratio %.2fx\n", r/10, s/10, s/r}'
