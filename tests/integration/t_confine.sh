#!/bin/bash
# Confinement: nothing outside ROOT is reachable through the mount.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=53 # checked by finish (lib.sh)
P=$HELPERS/confine_probe

t=$(new_tmp)
mkdir -p "$t/root/etc" "$t/root/sub/deeper" "$t/mnt" "$t/secret"
echo "job's own passwd" >"$t/root/etc/passwd"
echo "HOST SECRET" >"$t/secret/file"
ln -s /etc/passwd "$t/root/abs"
ln -s ../../../../../../../../etc/passwd "$t/root/sub/deeper/rel"
ln -s "$t/secret/file" "$t/root/to-secret"
ln -s ../abs "$t/root/sub/chain"
ln -s loop2 "$t/root/loop1"
ln -s loop1 "$t/root/loop2"
ln -s /etc "$t/root/etcdir"
mkdir "$t/root/bind" "$t/root/tmpfs"
mount --bind "$t/secret" "$t/root/bind"
mount -t tmpfs -o size=1m spxtest "$t/root/tmpfs"
echo "HOST TMPFS" >"$t/root/tmpfs/file"
chmod -R a+rX "$t/root"
mount_spxfs "$t/root" "$t/mnt" -o allow_other || fail "mount"

for who in root user; do
	run=()
	[ $who = user ] && run=(runuser -u "$TEST_USER" --)
	expect "$who: absolute symlink resolves inside the mount" 0 "job's own passwd" "${run[@]}" "$P" in-root "$t/mnt" /abs
	expect "$who: relative symlink with many .. stays inside" 0 "job's own passwd" "${run[@]}" "$P" in-root "$t/mnt" /sub/deeper/rel
	expect "$who: symlink chain stays inside" 0 "job's own passwd" "${run[@]}" "$P" in-root "$t/mnt" /sub/chain
	expect "$who: symlink to a host path outside ROOT" 1 "ENOENT" "${run[@]}" "$P" in-root "$t/mnt" /to-secret
	expect "$who: .. at the root" 0 "job's own passwd" "${run[@]}" "$P" in-root "$t/mnt" /../../../etc/passwd
	expect "$who: symlink loop" 1 "ELOOP" "${run[@]}" "$P" in-root "$t/mnt" /loop1
	expect "$who: directory symlink to /etc" 0 "job's own passwd" "${run[@]}" "$P" in-root "$t/mnt" /etcdir/passwd
	expect "$who: bind mount inside ROOT is not served" 1 "EACCES" "${run[@]}" "$P" in-root "$t/mnt" /bind/file
	expect "$who: tmpfs inside ROOT is not served" 1 "EACCES" "${run[@]}" "$P" in-root "$t/mnt" /tmpfs/file
done
# The kernel itself resolving with the mount as "/" (chroot, root only).
# Inside the chroot there is no /proc, which LeakSanitizer needs at exit.
chroot_probe() { ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$P" chroot "$@"; }
# Controls: the same probes on ROOT itself, not through spxfs, reach what
# the mount keeps out (the probe can see a leak).
expect "control: natively, the bind mount inside ROOT is readable" 0 "HOST SECRET" "$P" in-root "$t/root" /bind/file
expect "control: natively, the tmpfs inside ROOT is readable" 0 "HOST TMPFS" "$P" in-root "$t/root" /tmpfs/file
expect "chroot: absolute symlink" 0 "job's own passwd" chroot_probe "$t/mnt" /abs
expect "chroot: relative symlink" 0 "job's own passwd" chroot_probe "$t/mnt" /sub/deeper/rel
expect "chroot: .. at the root" 0 "job's own passwd" chroot_probe "$t/mnt" /../../etc/passwd
expect "chroot: symlink to host secret" 1 "ENOENT" chroot_probe "$t/mnt" /to-secret
expect "chroot: bind mount" 1 "EACCES" chroot_probe "$t/mnt" /bind/file
expect "symlinks are returned as written" 0 "^/etc/passwd$" readlink "$t/mnt/abs"
expect "listing a bind mount point is refused" 1 "EACCES" "$P" list "$t/mnt/bind"

# Device nodes, setuid bits, foreign xattr namespaces: even for root.
expect "no character devices, even for root" 1 "EPERM" "$P" mknod-chr "$t/mnt/null"
check "no device node reached ROOT" test ! -e "$t/root/null"
echo x >"$t/mnt/suid"
chmod 4755 "$t/mnt/suid"
chmod 2755 "$t/mnt/suid" 2>/dev/null
check "setuid/setgid bits never reach ROOT" test ! -u "$t/root/suid" -a ! -g "$t/root/suid"
chmod 06755 "$t/mnt/suid"
check "chmod 6755 is stripped to 0755" test "$(stat -c %a "$t/root/suid")" = 755
install -m 4755 /dev/null "$t/mnt/installed"
check "created with 4755 stripped" test "$(stat -c %a "$t/root/installed")" = 755
mkdir "$t/mnt/sgiddir" && chmod 2775 "$t/mnt/sgiddir"
check "setgid on directories kept (group inheritance)" test -g "$t/root/sgiddir"
for ns in trusted security system; do
	expect "xattr namespace $ns refused" 1 "EOPNOTSUPP" "$P" setxattr "$t/mnt/suid" "$ns.spx"
done
# Controls: natively, root makes devices, keeps setuid bits, sets trusted.*
n=$(new_tmp)
expect "control: natively, root makes a character device" 0 "" "$P" mknod-chr "$n/null"
echo x >"$n/suid" && chmod 4755 "$n/suid"
check "control: natively, the setuid bit stays" test -u "$n/suid"
expect "control: natively, root sets a trusted.* attribute" 0 "" "$P" setxattr "$n/suid" trusted.spx
expect "xattr namespace user allowed" 0 "" "$P" setxattr "$t/mnt/suid" user.spx

# Setuid and setgid bits of files the host put in ROOT. The kernel leaves
# clearing them to spxfs (FUSE_HANDLE_KILLPRIV_V2): a write, a truncate,
# an O_TRUNC open or a fallocate clears them, for root too, since spxfs
# keeps no such bits; setgid without group execution (a lock marker)
# stays, as natively; the mount shows the new mode at once.
k=$(new_tmp)
mkdir "$k/root" "$k/mnt"
echo data >"$k/root/u" && chown "$TEST_USER" "$k/root/u" # chown clears setuid: first
for f in w t o a u; do echo data >>"$k/root/$f" && chmod 4755 "$k/root/$f"; done
echo data >"$k/root/g" && chmod 2755 "$k/root/g"
echo data >"$k/root/l" && chmod 2745 "$k/root/l"
echo data >"$k/root/cap" && setcap cap_net_raw+ep "$k/root/cap"
mount_spxfs "$k/root" "$k/mnt" -o allow_other --cache-timeout=60 --audit-log "$k/log" || fail "mount for setuid"
stat -c %a "$k/mnt/w" "$k/mnt/g" >/dev/null # the kernel caches the old modes
echo more >>"$k/mnt/w"
check "root's write clears the setuid bit in ROOT" test "$(stat -c %a "$k/root/w")" = 755
check "and the mount shows it at once" test "$(stat -c %a "$k/mnt/w")" = 755
truncate -s 2 "$k/mnt/t"
: >"$k/mnt/o"
fallocate -l 8192 "$k/mnt/a"
check "truncate, O_TRUNC and fallocate clear it" test "$(stat -c %a "$k/root/t" "$k/root/o" "$k/root/a" | sort -u)" = 755
as_user sh -c "echo more >>'$k/mnt/u'"
check "the owner's write clears it" test "$(stat -c %a "$k/root/u")" = 755
echo more >>"$k/mnt/g"
check "a write clears setgid with group execution" test "$(stat -c %a "$k/root/g")" = 755
check "and the mount shows it at once (setgid)" test "$(stat -c %a "$k/mnt/g")" = 755
echo more >>"$k/mnt/l"
check "setgid without group execution stays" test "$(stat -c %a "$k/root/l")" = 2745
echo more >>"$k/mnt/cap"
check "a write drops a file capability" test -z "$(getcap "$k/root/cap")"
unmount "$k/mnt" || fail "unmount setuid mount"
check "each clearing is recorded as a chmod" test "$(jq -r 'select(.op=="chmod") | "\(.path) \(.mode)"' "$k/log" | sort | tr '\n' ' ')" = "/a 493 /g 493 /o 493 /t 493 /u 493 /w 493 "
# Control: through bindfs, which leaves it to the kernel, root's write
# keeps the setuid bit (root has CAP_FSETID).
mkdir "$k/bsrc" "$k/bmnt"
echo data >"$k/bsrc/w" && chmod 4755 "$k/bsrc/w"
MOUNTS+=("$k/bmnt")
if bindfs "$k/bsrc" "$k/bmnt"; then
	echo more >>"$k/bmnt/w"
	check "control: through bindfs, root's write keeps the setuid bit" test -u "$k/bsrc/w"
	unmount "$k/bmnt" || fail "unmount bindfs (setuid)"
else
	fail "control: mounting bindfs (setuid)"
fi

# The host-side rename race.
r=$(new_tmp)
mkdir "$r/root" "$r/mnt" "$r/secret" "$r/root/d"
for i in $(seq 0 4999); do echo public >"$r/root/d/f$i"; echo SECRET >"$r/secret/f$i"; done
ln -s "$r/secret" "$r/root/link"
for lim in 20000 48; do
	if MOUNTS+=("$r/mnt") && prlimit --nofile=$lim:$lim "$SPXFS" --cache-timeout=0 "$r/root" "$r/mnt"; then
		expect "rename-exchange race, descriptor limit $lim: zero secret reads" 0 "[1-9][0-9]* refused, 0 SECRET reads" \
			"$HELPERS/race_swap" "$r/root" "$r/mnt" "$r/secret" 5000
		unmount "$r/mnt" || fail "unmount race mount"
	else
		fail "mount for race"
	fi
done
# Control: through a passthrough that resolves names on the host again
# (bindfs), the same race reads secrets.
mkdir "$r/bindfs"
MOUNTS+=("$r/bindfs")
if bindfs "$r/root" "$r/bindfs"; then
	expect "control: the rename-exchange race through bindfs reads secrets" 1 "[1-9][0-9]* SECRET reads" \
		"$HELPERS/race_swap" "$r/root" "$r/bindfs" "$r/secret" 5000
	unmount "$r/bindfs" || fail "unmount bindfs"
else
	fail "control: mounting bindfs"
fi

unmount "$t/mnt" || fail "unmount"
umount "$t/root/bind" "$t/root/tmpfs"
finish
