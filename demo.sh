#!/bin/bash
# demo.sh: builds spx and runs a small job confined to one directory.
#
# The job is a busybox shell script run by spxbox with ROOT, served by
# spxfs, as its /. ROOT holds a symlink to /etc/passwd, a relative symlink
# climbing to /etc/shadow and a bind mount of a host directory with a
# secret; the job writes and reads files and tries all three. Then
# spxaudit shows what it did, what it changed, and that the log is intact.
# Run as root on Debian 12; installs what it needs. SPX_BIN=/usr/bin runs
# the installed programs (the Debian package's) instead of building.
set -eu
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (it makes a bind mount)" >&2; exit 2; }
scripts/install-deps.sh
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends busybox-static >/dev/null 2>&1
if [ -n "${SPX_BIN:-}" ]; then
	BOX=$SPX_BIN/spxbox AUDIT=$SPX_BIN/spxaudit
else
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	BOX=build/sandbox/spxbox AUDIT=build/tools/spxaudit
fi

demo=$(mktemp -d /tmp/spx-demo.XXXXXX)
root=$demo/root log=$demo/job.log
cleanup() {
	umount "$root/hostdir" 2>/dev/null || true
	rm -rf --one-file-system "$demo"
}
trap cleanup EXIT

mkdir -p "$root/bin" "$root/etc" "$root/hostdir" "$demo/secret"
cp /bin/busybox "$root/bin/busybox"
for applet in sh cat readlink ls mknod echo; do ln -s busybox "$root/bin/$applet"; done
echo "demo:x:1000:1000::/:/bin/sh" >"$root/etc/passwd"
echo "HOST SECRET - must never be shown" >"$demo/secret/key"
ln -s /etc/passwd "$root/passwd-link"
ln -s ../../../../../../etc/shadow "$root/shadow-link"
mount --bind "$demo/secret" "$root/hostdir"
# ROOT is root's: the job runs as nobody (never host root), and what it
# writes is root's on the host, as if ROOT's owner had written it

cat >"$root/job.sh" <<'JOB'
echo "job: writing /out.txt";            echo "hello from the job" > /out.txt
echo "job: reading it back: $(cat /out.txt)"
echo "job: /passwd-link -> $(readlink /passwd-link); it reads:"; cat /passwd-link
echo "job: /shadow-link (../../../etc/shadow):"; cat /shadow-link 2>&1
echo "job: the bind mount /hostdir:";  ls /hostdir 2>&1
echo "job: making a device node:";      mknod /null c 1 3 2>&1
JOB
echo "--- spxbox --allow-fork --allow-exec --root ROOT -- /bin/sh /job.sh"
"$BOX" --allow-fork --allow-exec --root "$root" --audit-log "$log" -- /bin/sh /job.sh 2>"$demo/stderr" || true
head=$(sed -n 's/.*chain head \([0-9a-f]*\).*/\1/p' "$demo/stderr")

echo "--- by default a job may neither fork nor exec again:"
"$BOX" --root "$root" --audit-log "$demo/nofork.log" -- /bin/sh -c 'ls; ls' 2>&1 | grep -v 'audit log' || true
"$AUDIT" show --op denied,exec "$demo/nofork.log"

echo "--- spxaudit changes: what the job left in ROOT"
"$AUDIT" changes "$log"
echo "--- spxaudit show --failed: what it tried and was refused"
"$AUDIT" show --failed "$log"
echo "--- spxaudit verify --head (the head spxbox printed)"
"$AUDIT" verify --head "$head" "$log"
echo "--- on the host, ROOT holds what the job wrote:"
cat "$root/out.txt"
ls -ln "$root/out.txt"
echo "demo: done"
