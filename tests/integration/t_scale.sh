#!/bin/bash
# Scale: spxfs serves far more files than it may hold descriptors for.
# SPX_SCALE_FILES (default 100000) sets the size of the main run,
# SPX_HOLD_FILES (default 100000) how many files a job holds open at once,
# SPX_CREATE_FILES (default 1000000) how many a job creates.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=19 # checked by finish (lib.sh)
N=${SPX_SCALE_FILES:-100000}
H=${SPX_HOLD_FILES:-100000}
C=${SPX_CREATE_FILES:-1000000}

t=$(new_tmp)
mkdir "$t/root" "$t/mnt"
MOUNTS+=("$t/mnt")
prlimit --nofile=1024:1024 "$SPXFS" "$t/root" "$t/mnt" || fail "mount with 1024 descriptors"
pid=$(daemon_pid spxfs "$t/root")
check "the daemon's pid is known" test -n "$pid" -a -d "/proc/$pid/fd"
# The kernel stops the daemon at 1,024; its own caches keep it far below
# (half the limit for inodes, open files few here): the peak, sampled
# while it works, must stay under 3/4 of the limit.
peak_file=$t/peak
( peak=0; while kill -0 "$pid" 2>/dev/null && [ ! -e "$t/stop-sampling" ]; do
	n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l); [ "$n" -gt "$peak" ] && peak=$n && echo "$peak" >"$peak_file"
	sleep 0.02
done ) &
sampler=$!
expect "$N files through a daemon limited to 1,024 descriptors" 0 "$N files created" \
	"$HELPERS/many_files" "$t/mnt" "$N"
touch "$t/stop-sampling"
wait "$sampler"
peak=$(cat "$peak_file" 2>/dev/null || echo 0)
check "meanwhile the daemon held at most $peak descriptors, well within its 1,024" \
	test "$peak" -gt 16 -a "$peak" -le 768
expect "3,000 files held open at once under 1,024 descriptors" 0 "3000 files written and read back" \
	"$HELPERS/many_files" --hold "$t/mnt" 3000
# flock() lives on spxfs's descriptor: a locked file's must not be closed
# to make room, though 3,000 other files pass through meanwhile.
expect "a flock() survives 3,000 other files under 1,024 descriptors" 0 "still locked" \
	flock "$t/mnt/lock" sh -c "'$HELPERS/many_files' --hold '$t/mnt' 3000 >/dev/null &&
		! flock -n '$t/mnt/lock' true && echo still locked"
rm -f "$t/mnt/lock"
check "the daemon still serves afterwards" sh -c "echo ok > '$t/mnt/after' && test \"\$(cat '$t/mnt/after')\" = ok"
# the held files are removed through the mount too; then ROOT holds only "after"
find "$t/mnt" -mindepth 1 -maxdepth 1 -name 'h*' -exec rm -rf {} +
check "ROOT is clean after removal" test "$(ls -A "$t/root")" = after
unmount "$t/mnt" || fail "unmount"

# A job creating C (1,000,000) files, two processes at a time, through a
# daemon limited to 1,024 descriptors. Only creation goes through the
# mount (the run above also stats, reads and removes); ROOT is counted
# on the host.
c=$(new_tmp)
mkdir "$c/root" "$c/mnt"
MOUNTS+=("$c/mnt")
prlimit --nofile=1024:1024 "$SPXFS" "$c/root" "$c/mnt" || fail "mount for $C files"
cpid=$(daemon_pid spxfs "$c/root")
expect "a job creates $C files (2 processes) through spxfs limited to 1,024 descriptors" 0 \
	"$C files created" "$HELPERS/many_files" --create "$c/mnt" "$C" 2
check "all $C files are in ROOT" test "$(find "$c/root" -type f | wc -l)" = "$C"
last=$(printf 'd%04d/f%04d' $(((C - 1) / 1000)) $(((C - 1) % 1000)))
check "the daemon ($(awk '/VmHWM/ {print $2, $3}' /proc/$cpid/status) at most) serves them: stat $last" \
	test "$(stat -c %s "$c/mnt/$last")" = 0
unmount "$c/mnt" || fail "unmount after $C files"
rm -rf --one-file-system "$c/root"

# A job holding many files open at once: H (100,000) files, held by as
# many processes as their own descriptor limit needs, through a daemon
# allowed 4,096 descriptors: it closes idle ones and reopens them on use.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
per=$((hard - 1000))
P=$(( (H + per - 1) / per ))
h=$(new_tmp)
mkdir "$h/root" "$h/mnt"
MOUNTS+=("$h/mnt")
prlimit --nofile=4096:4096 "$SPXFS" "$h/root" "$h/mnt" || fail "mount for $H open files"
hpid=$(daemon_pid spxfs "$h/root")
out="$h/hold.out"
MANY_FILES_RELEASE="$h/release" prlimit --nofile="$hard:$hard" \
	"$HELPERS/many_files" --hold "$h/mnt" "$H" "$P" > "$out" 2>&1 &
job=$!
held_or_gone() { grep -q "held open at once" "$out" || ! kill -0 "$job" 2>/dev/null; }
wait_until 900 held_or_gone
# Counted from outside while every file is open: the job's descriptors
# on the mount, and the daemon's own.
open_now=0
for c in $(pgrep -P "$job"); do
	n=$(find "/proc/$c/fd" -lname "$h/mnt/*" 2>/dev/null | wc -l)
	open_now=$((open_now + n))
done
daemon_fds=$(ls "/proc/$hpid/fd" | wc -l)
touch "$h/release"
wait "$job"
rc=$?
check "a job holds $H files open at once ($P processes; counted: $open_now)" test "$open_now" -eq "$H"
# The kernel holds the daemon to 4,096; what this shows is that the count
# was taken (a known pid) and that the daemon used its caches to the full
# rather than one descriptor per open file.
check "meanwhile the daemon (pid ${hpid:-unknown}) held $daemon_fds descriptors for $H open files" \
	test -n "$hpid" -a "$daemon_fds" -gt 1000 -a "$daemon_fds" -le 4096
check "each of the $H files was written and read back through its descriptor" \
	sh -c "test $rc = 0 && grep -q '$H files written and read back' '$out'"
check "after $H open files, ROOT is clean and the daemon serves" \
	sh -c "test -z \"\$(ls '$h/root')\" && echo ok > '$h/mnt/x' && test \"\$(cat '$h/mnt/x')\" = ok"
unmount "$h/mnt" || fail "unmount after $H open files"

# Audited, the close records of files whose descriptors were closed to
# make room still carry the final content's hash (read through a reopen).
a=$(new_tmp)
mkdir "$a/root" "$a/mnt"
MOUNTS+=("$a/mnt")
prlimit --nofile=256:256 "$SPXFS" --audit-log "$a/log" "$a/root" "$a/mnt" || fail "audited mount"
expect "audited: 1,000 files held open by 2 processes under 256 descriptors" 0 \
	"1000 files written and read back" "$HELPERS/many_files" --hold "$a/mnt" 1000 2
unmount "$a/mnt" || fail "unmount audited"
wait_for log_ended "$a/log"
expect "audited: the log verifies" 0 "intact" "$SPX_BUILD/tools/spxaudit" verify "$a/log"
sha=$(printf h000123h000123 | sha256sum | cut -d' ' -f1)
check "audited: 1,000 close records with the final size and hash" sh -c \
	"test \"\$(jq -r 'select(.op==\"close\" and .size==14 and .sha256_final!=null) | .path' '$a/log' | sort -u | wc -l)\" = 1000 &&
	test \"\$(jq -r 'select(.op==\"close\" and .path==\"/h000123\") | .sha256_final' '$a/log')\" = $sha"

# The same, smaller, with an unprivileged daemon and caller.
u=$(new_tmp)
mkdir "$u/root" "$u/mnt"
chown "$TEST_USER" "$u/root" "$u/mnt"
MOUNTS+=("$u/mnt")
as_user prlimit --nofile=256:256 "$SPXFS" "$u/root" "$u/mnt" || fail "unprivileged mount"
expect "unprivileged: 20000 files under 256 descriptors" 0 "20000 files created" \
	as_user "$HELPERS/many_files" "$u/mnt" 20000
expect "unprivileged: 2,000 files held open by 2 processes under 256 descriptors" 0 \
	"2000 files written and read back" as_user "$HELPERS/many_files" --hold "$u/mnt" 2000 2
as_user fusermount3 -u "$u/mnt" && ! is_mounted "$u/mnt" || fail "unprivileged unmount"
finish
