#!/bin/bash
# demo.sh: builds spx and runs a small job confined to one directory.
#
# The job is a shell script run with the spxfs mount as its "/" (chroot,
# until spxbox lands). ROOT holds a symlink to /etc/passwd and a bind
# mount of a host directory with a secret; the job writes and reads files,
# follows the symlink and tries the bind mount: it sees only ROOT.
# Run as root on Debian 12; installs what it needs.
set -eu
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (it makes a bind mount and chroots)" >&2; exit 2; }
scripts/install-deps.sh
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends busybox-static >/dev/null 2>&1
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

demo=$(mktemp -d /tmp/spx-demo.XXXXXX)
root=$demo/root mnt=$demo/mnt
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || true
	umount "$root/hostdir" 2>/dev/null || true
	rm -rf --one-file-system "$demo"
}
trap cleanup EXIT

mkdir -p "$root/bin" "$root/etc" "$root/hostdir" "$mnt" "$demo/secret"
cp /bin/busybox "$root/bin/busybox"
for applet in sh cat readlink ls mknod sed; do ln -s busybox "$root/bin/$applet"; done
echo "demo:x:1000:1000::/:/bin/sh" >"$root/etc/passwd"
echo "HOST SECRET - must never be shown" >"$demo/secret/key"
ln -s /etc/passwd "$root/passwd-link"
ln -s ../../../../../../etc/shadow "$root/shadow-link"
mount --bind "$demo/secret" "$root/hostdir"

echo "--- mounting $root at $mnt"
build/fs/spxfs "$root" "$mnt"

cat >"$root/job.sh" <<'JOB'
echo "job: writing /out.txt";            echo "hello from the job" > /out.txt
echo "job: reading it back: $(cat /out.txt)"
echo "job: /passwd-link -> $(readlink /passwd-link); it reads:"; cat /passwd-link
echo "job: /shadow-link (../../../etc/shadow):"; cat /shadow-link 2>&1 | sed 's/^/  /'
echo "job: the bind mount /hostdir:";  ls /hostdir 2>&1 | sed 's/^/  /'
echo "job: making a device node:";      mknod /null c 1 3 2>&1 | sed 's/^/  /'
JOB
echo "--- running the job with the mount as /"
env -i PATH=/bin /usr/sbin/chroot "$mnt" /bin/sh /job.sh

echo "--- on the host, ROOT now holds what the job wrote:"
cat "$root/out.txt"
echo "--- unmounting"
fusermount3 -u "$mnt"
grep -q " $mnt " /proc/mounts && { echo "still mounted!"; exit 1; }
echo "demo: done"
