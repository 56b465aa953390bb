#!/bin/bash
# Scale: spxfs serves far more files than it may hold descriptors for.
# SPX_SCALE_FILES (default 100000) sets the size of the main run.
set -u
. "$(dirname "$0")/lib.sh"
N=${SPX_SCALE_FILES:-100000}

t=$(new_tmp)
mkdir "$t/root" "$t/mnt"
MOUNTS+=("$t/mnt")
prlimit --nofile=1024:1024 "$SPXFS" "$t/root" "$t/mnt" || fail "mount with 1024 descriptors"
pid=$(pgrep -n -f "spxfs $t/root")
expect "$N files through a daemon limited to 1,024 descriptors" 0 "$N files created" \
	"$HELPERS/many_files" "$t/mnt" "$N"
check "the daemon never held more than its limit" test "$(ls /proc/$pid/fd | wc -l)" -le 1024
expect "900 files held open at once under 1,024 descriptors" 0 "900 files held open" \
	"$HELPERS/many_files" --hold "$t/mnt" 900
expect "past the limit, opens fail with EMFILE instead of crashing" 1 "Too many open files" \
	"$HELPERS/many_files" --hold "$t/mnt" 1100
check "the daemon still serves after EMFILE" sh -c "echo ok > '$t/mnt/after' && test \"\$(cat '$t/mnt/after')\" = ok"
check "ROOT is clean after removal" test "$(ls "$t/root" | grep -vc '^h0\|^after$')" = 0
unmount "$t/mnt" || fail "unmount"

# A job holding many files open at once: N (100,000) where the hard
# descriptor limit allows; the daemon needs two descriptors per open file
# (the file and its inode's handle), so under a lower hard limit (20,000
# on machines without CAP_SYS_RESOURCE) as many as fit.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
H=$(( (hard - 1000) / 2 < N ? (hard - 1000) / 2 : N ))
h=$(new_tmp)
mkdir "$h/root" "$h/mnt"
MOUNTS+=("$h/mnt")
prlimit --nofile="$hard:$hard" "$SPXFS" "$h/root" "$h/mnt" || fail "mount for $H open files"
expect "a job holds $H files open at once through spxfs (hard limit $hard)" 0 "$H files held open" \
	prlimit --nofile="$hard:$hard" "$HELPERS/many_files" --hold "$h/mnt" "$H"
check "after $H open files, ROOT is clean and the daemon serves" \
	sh -c "test -z \"\$(ls '$h/root')\" && echo ok > '$h/mnt/x' && test \"\$(cat '$h/mnt/x')\" = ok"
unmount "$h/mnt" || fail "unmount after $H open files"

# The same, smaller, with an unprivileged daemon and caller.
u=$(new_tmp)
mkdir "$u/root" "$u/mnt"
chown "$TEST_USER" "$u/root" "$u/mnt"
MOUNTS+=("$u/mnt")
as_user prlimit --nofile=256:256 "$SPXFS" "$u/root" "$u/mnt" || fail "unprivileged mount"
expect "unprivileged: 20000 files under 256 descriptors" 0 "20000 files created" \
	as_user "$HELPERS/many_files" "$u/mnt" 20000
as_user fusermount3 -u "$u/mnt" && ! is_mounted "$u/mnt" || fail "unprivileged unmount"
finish
