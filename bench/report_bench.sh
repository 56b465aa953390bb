#!/bin/bash
# report_bench.sh [RECORDS...]: how long spxaudit takes to build a job's
# report and provenance from logs of RECORDS records (default 10,000 and
# 1,000,000), and how large and memory-hungry that is. Each log is a real
# job's: spxbox runs a busybox shell loop that writes RECORDS/2 small
# files (a create and a close each) in directories of 1,000, on a tmpfs
# ROOT; verify's time is given beside, as the floor (report and
# provenance verify first, then read the log again).
set -eu
cd "$(dirname "$0")/.."
B=${SPX_BUILD:-build}
[ -x "$B/sandbox/spxbox" ] || { echo "build first (meson setup build && ninja -C build)" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 1000000)
W=$(mktemp -d /tmp/spx-bench.XXXXXX)
R=$(mktemp -d /dev/shm/spx-bench.XXXXXX)
trap 'rm -rf --one-file-system "$W" "$R"' EXIT
ms() { # command...: wall milliseconds and peak KiB, "MS KIB"
	/usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null
	awk '{printf "%d %d\n", $1 * 1000, $2}' "$W/time"
}
echo "| records | log size | verify | report | report size | report peak RSS | provenance | provenance peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
	rm -rf "${R:?}"/*
	mkdir -p "$R/bin"
	cp /bin/busybox "$R/bin/busybox"
	ln -s busybox "$R/bin/sh"
	files=$((n / 2))
	"$B/sandbox/spxbox" --allow-fork --allow-exec --root "$R" --audit-log "$W/job.log" --audit-sync none -- /bin/sh -c "
		i=0; while [ \$i -lt $files ]; do
			[ \$((i % 1000)) -eq 0 ] && mkdir /d\$((i / 1000))
			echo \$i > /d\$((i / 1000))/f\$i; i=\$((i + 1))
		done" 2>/dev/null || true
	records=$(wc -l <"$W/job.log")
	read -r v _ < <(ms "$B/tools/spxaudit" verify "$W/job.log")
	read -r r rk < <(ms "$B/tools/spxaudit" report -o "$W/r.html" "$W/job.log")
	read -r p pk < <(ms "$B/tools/spxaudit" provenance -o "$W/p.json" "$W/job.log")
	echo "| $records | $(($(stat -c %s "$W/job.log") / 1048576)) MiB | $v ms | $r ms | $(($(stat -c %s "$W/r.html") / 1024)) KiB | $((rk / 1024)) MiB | $p ms | $((pk / 1024)) MiB |"
	rm -f "$W/job.log"
done
