#!/bin/bash
# The findings of the security review (issue 10), each reproduced: who may
# own what spxfs makes, where a root daemon mounts and unmounts, what the
# sandbox's setup may touch, and what a job can take from its supervisor.
# Run as root; the attacker is the unprivileged test user.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=57 # checked by finish (lib.sh)
BOX=$SPX_BUILD/sandbox/spxbox
A=$SPX_BUILD/tools/spxaudit
uid=$(id -u "$TEST_USER")
gid=$(id -g "$TEST_USER")

# --- 1. Only what a request created is the caller's -------------------------
t=$(new_tmp)
mkdir "$t/r" "$t/m" "$t/r/sg" "$t/r/p"
chmod 0777 "$t/r"
echo v >"$t/r/victim" && chown 1234:1234 "$t/r/victim" && chmod 0666 "$t/r/victim"
chgrp 4242 "$t/r/sg" && chmod 2777 "$t/r/sg"
echo x >"$t/r/rootfile" && chmod 0644 "$t/r/rootfile"
chown "$uid:$gid" "$t/r/p" && echo r >"$t/r/p/rootfile"
mount_spxfs "$t/r" "$t/m" -o allow_other || fail "mount"
as_user ln "$t/m/victim" "$t/m/mine"
check "a hard link leaves the linked file's owner alone" test "$(stat -c %u:%g "$t/r/victim")" = 1234:1234
as_user sh -c "mkdir $t/m/d; mkfifo $t/m/f; ln -s x $t/m/l; echo a >$t/m/c; mkdir $t/m/sg/d; echo b >$t/m/sg/f"
for n in d f l c; do
	check "a new $(stat -c %F "$t/r/$n") belongs to its creator" test "$(stat -c %u:%g "$t/r/$n")" = "$uid:$gid"
done
check "a setgid parent's group is inherited (directory)" test "$(stat -c %u:%g "$t/r/sg/d")" = "$uid:4242"
check "a setgid parent's group is inherited (file)" test "$(stat -c %u:%g "$t/r/sg/f")" = "$uid:4242"
as_user python3 -c 'import os,sys; os.umask(0); os.close(os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o620)); os.mkdir(sys.argv[2], 0o770)' "$t/m/m620" "$t/m/d770"
check "a mode the caller asked for is kept (0620: the daemon's umask takes nothing)" test "$(stat -c %a "$t/r/m620")" = 620
check "a directory's mode is kept (0770)" test "$(stat -c %a "$t/r/d770")" = 770
# pjdfstest open/02: the longest name, 0620; rename/21: uid 65534 moves its
# directory within and between directories it may write
long=$(printf 'n%.0s' $(seq 1 255))
as_user python3 -c 'import os,sys; os.umask(0); os.close(os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o620))' "$t/m/$long"
check "a 255-byte name created 0620 is 0620" test "$(stat -c %a "$t/r/$long")" = 620
mkdir "$t/r/w1" "$t/r/w2" && chmod 0777 "$t/r/w1" "$t/r/w2"
runuser -u nobody -- mkdir "$t/m/w1/dir"
check "uid 65534 renames its directory within a directory" runuser -u nobody -- mv "$t/m/w1/dir" "$t/m/w1/dir2"
check "and between directories" runuser -u nobody -- mv "$t/m/w1/dir2" "$t/m/w2/dir3"
check "and the tree shows it" test -d "$t/r/w2/dir3" -a ! -e "$t/r/w1/dir2" -a ! -e "$t/r/w1/dir"
expect "appending to root's 0644 file is refused" 2 "Permission denied" as_user sh -c "echo z >>$t/m/rootfile"
expect "a name swapped between create and chown is not given away" 0 "rootfile owner 0" \
	"$HELPERS/race_owner" swap "$t/r" "$t/m" "$uid" 20000
expect "create meeting a root file that appeared meanwhile opens nothing of root's" 0 \
	" 0 of them a file of another user" "$HELPERS/race_owner" create "$t/r" "$t/m" "$uid" 20000
check "root's 0600 file that kept appearing was never truncated by the job" \
	sh -c "[ ! -e $t/r/v ] || [ \"\$(stat -c %u $t/r/v)\" = 0 ]"
unmount "$t/m"
# Control: bindfs --create-as-user creates as root and chowns the name
# afterwards: the same race gives root's file away through it.
mkdir "$t/b"
MOUNTS+=("$t/b")
if bindfs --create-as-user -o allow_other "$t/r" "$t/b"; then
	expect "control: through bindfs, the swap race gives root's file away" 1 "rootfile owner $uid" \
		"$HELPERS/race_owner" swap "$t/r" "$t/b" "$uid" 20000
	chown 0:0 "$t/r/p/rootfile"
	unmount "$t/b" || fail "unmount bindfs"
fi
# A create that meets a name the host made meanwhile, without a race: the
# job's lookup finds nothing (and a passthrough that caches that answer
# sends the kernel straight to CREATE), then root makes a 0600 file under
# the name, then the job opens it with O_CREAT|O_TRUNC.
create_meets_root_file() { # MNT NAME: prints what the job got
	as_user stat "$1/$2" >/dev/null 2>&1
	echo ROOT >"$t/r/$2" && chmod 0600 "$t/r/$2"
	as_user python3 -c 'import os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    print("opened root'"'"'s file")
except PermissionError:
    print("refused")' "$1/$2"
}
mount_spxfs "$t/r" "$t/m" -o allow_other || fail "mount again"
check "a create meeting root's new 0600 file is refused, the file intact" \
	test "$(create_meets_root_file "$t/m" v2):$(cat "$t/r/v2")" = "refused:ROOT"
unmount "$t/m"
if bindfs --create-as-user -o allow_other,negative_timeout=30 "$t/r" "$t/b"; then
	check "control: through bindfs (negative entries cached), the job opens and truncates it" \
		test "$(create_meets_root_file "$t/b" v3):$(cat "$t/r/v3")" = "opened root's file:"
	unmount "$t/b" || fail "unmount bindfs"
else
	fail "control: mounting bindfs"
fi

# --- 2. Root mounts and unmounts what it checked, never a path again --------
t=$(new_tmp)
mkdir "$t/r" "$t/target" "$t/real"
ln -s "$t/target" "$t/mnt-link"
ln -s "$t" "$t/via"
expect "a MOUNTPOINT that is a symlink is refused" 2 "is a symlink or passes through one" \
	"$SPXFS" "$t/r" "$t/mnt-link"
check "nothing was mounted on the symlink's target" sh -c "! grep -q ' $t/target ' /proc/self/mountinfo"
# control: a mount by path (mount(8)) follows the symlink to the target
mount -t tmpfs -o size=1m spx-control "$t/mnt-link"
check "control: mount(8) by the same path lands on the symlink's target" grep -q " $t/target " /proc/self/mountinfo
umount "$t/target" || fail "unmount the control's tmpfs"
expect "a MOUNTPOINT reached through a symlink is refused" 2 "is a symlink or passes through one" \
	"$SPXFS" "$t/r" "$t/via/real"
# The mount's directory moves and a decoy takes its old path; kill -9: the
# unmounter removes the spxfs mount where it now is, and not the decoy.
mkdir -p "$t/a/m" "$t/b/m"
mount_spxfs "$t/r" "$t/a/m" || fail "mount"
MOUNTS+=("$t/c/m")
pid=$(daemon_pid spxfs "$t/r")
mount -t tmpfs -o size=1m decoy "$t/b/m"
mv "$t/a" "$t/c" && mv "$t/b" "$t/a"
kill -9 "$pid"
check "kill -9: the moved spxfs mount is unmounted" wait_for sh -c "! grep -q ' $t/c/m ' /proc/self/mountinfo"
check "kill -9: the decoy at the old path is left alone" grep -q " $t/a/m .* - tmpfs decoy" /proc/self/mountinfo
umount "$t/a/m"
# spxbox --fs checks one mount and must bind that one: a host process
# exchanges the directory holding the spxfs mount with one holding a tmpfs.
mkdir -p "$t/fsroot/proc" "$t/fsroot/dev" "$t/x/m" "$t/y/m"
echo spxfs >"$t/fsroot/which"
mount_spxfs "$t/fsroot" "$t/x/m" -o allow_other || fail "mount"
mount -t tmpfs -o size=8m swapped "$t/y/m"
mkdir "$t/y/m/proc" "$t/y/m/dev" && echo tmpfs >"$t/y/m/which"
cp /bin/busybox "$t/fsroot/busybox"
cp /bin/busybox "$t/y/m/busybox"
python3 -c 'import ctypes,os,sys,time
libc=ctypes.CDLL(None,use_errno=True); end=time.time()+float(sys.argv[3])
while time.time()<end: libc.renameat2(-100,sys.argv[1].encode(),-100,sys.argv[2].encode(),2)' \
	"$t/x" "$t/y" 15 &
swapper=$!
seen_tmpfs=0
runs=0
while kill -0 $swapper 2>/dev/null; do
	out=$("$BOX" --fs "$t/x/m" -- /busybox cat /which 2>/dev/null) && runs=$((runs + 1))
	[ "$out" = tmpfs ] && seen_tmpfs=$((seen_tmpfs + 1))
done
wait $swapper
echo "    --fs race: $runs jobs ran, $seen_tmpfs saw the swapped-in tmpfs"
check "--fs: a job never runs on a mount other than the one checked" test "$seen_tmpfs" = 0
check "--fs: jobs did run during the race" test "$runs" -gt 0
for d in x y; do
	grep -q " $t/$d/m fuse" /proc/self/mountinfo && fusermount3 -u "$t/$d/m"
	grep -q " $t/$d/m " /proc/self/mountinfo && umount "$t/$d/m"
done

# --- 3. The sandbox's setup follows nothing ROOT controls ---------------------
t=$(new_tmp)
mkdir "$t/r" "$t/host" && chmod 0777 "$t/r"
cp /bin/busybox "$t/r/busybox"
ln -s "$t/host" "$t/r/dev"
expect "ROOT's /dev as a symlink stops spxbox, naming it" 125 "ROOT's /dev is a symlink" \
	"$BOX" --root "$t/r" -- /busybox true
rm "$t/r/dev" && echo file >"$t/r/proc"
expect "ROOT's /proc as a file stops spxbox, naming it" 125 "ROOT's /proc is a symlink, or is reached through one, or is not a directory" \
	"$BOX" --root "$t/r" -- /busybox true
rm "$t/r/proc" && ln -s "$t/host" "$t/r/usr"
expect "ROOT's /usr as a symlink stops spxbox --system, naming it" 125 "ROOT's /usr is a symlink" \
	"$BOX" --system --root "$t/r" -- /busybox true
rm "$t/r/usr" && mkdir "$t/r/a" && ln -s "$t/host" "$t/r/a/b"
expect "a --tmpfs through ROOT's symlink stops spxbox, naming it" 125 "ROOT's /a/b/c is a symlink" \
	"$BOX" --tmpfs /a/b/c --root "$t/r" -- /busybox true
rm -r "$t/r/a"

# --- 4. The end of a job loses no record -------------------------------------
t=$(new_tmp)
mkdir "$t/r" && chmod 0777 "$t/r"
"$BOX" --system --root "$t/r" --audit-log "$t/open.log" -- /usr/bin/python3 -c '
import os
fds = [os.open("/f%d" % i, os.O_WRONLY | os.O_CREAT, 0o644) for i in range(300)]
for fd in fds: os.write(fd, b"x" * 100)
os._exit(0)' >/dev/null 2>&1
closes=$(jq -c 'select(.op=="close" and .sha256_final != null)' "$t/open.log" | wc -l)
echo "    300 files open at exit: $closes close records with a hash"
check "a job exiting with 300 files open: 300 close records, each hashed" test "$closes" = 300
expect "and the log verifies" 0 intact "$A" verify "$t/open.log"
# A close that would hash a 1 TiB sparse file: the end of the job waits at
# most the hashing grace, and the record says the hash was stopped.
start=$(date +%s)
"$BOX" --system --root "$t/r" --audit-log "$t/big.log" -- /usr/bin/python3 -c '
import os
fd = os.open("/big", os.O_WRONLY | os.O_CREAT, 0o644); os.pwrite(fd, b"x", 1 << 40); os.close(fd)' \
	>/dev/null 2>&1
took=$(($(date +%s) - start))
echo "    1 TiB sparse file closed at the end: spxbox took $took s"
check "the sparse file's close is recorded, its hash stopped at the end" \
	test "$(jq -r 'select(.op=="close" and .path=="/big") | .hash_stopped' "$t/big.log")" = "the job ended"
check "spxbox ended within the hashing grace (20 s) and a margin" test "$took" -le 35
expect "and that log verifies" 0 intact "$A" verify "$t/big.log"

# --- 5. Refused execs are capped like every other denial --------------------
t=$(new_tmp)
mkdir "$t/r" && chmod 0777 "$t/r"
long=/$(printf 'x%.0s' $(seq 1 3000))
"$BOX" --system --root "$t/r" --audit-log "$t/exec.log" -- /usr/bin/python3 -c "
import os
for i in range(500):
    try: os.execv('$long', ['x'])
    except OSError: pass
" >/dev/null 2>&1
execs=$(jq -c 'select(.op=="exec")' "$t/exec.log" | wc -l)
echo "    500 refused execs: $execs exec records, log $(stat -c %s "$t/exec.log") bytes"
check "500 refused execs leave at most 21 exec records" test "$execs" -le 21
check "the rest are counted" test "$(jq -r 'select(.op=="denials_unrecorded") | .count' "$t/exec.log")" -ge 479

# --- 6. --allow-exec: nothing the job execs can stall the supervisor ---------
t=$(new_tmp)
mkdir "$t/r" "$t/bin" && chmod 0777 "$t/r"
cp /bin/busybox "$t/r/busybox" && cp /bin/busybox "$t/bin/busybox"
mkfifo "$t/r/fifo" && chmod 0755 "$t/r/fifo"
start=$(date +%s)
expect "exec of a FIFO, then a long sleep: the time limit still fires (124)" 124 "" \
	timeout -s KILL 30 "$BOX" --allow-exec --allow-fork --time-limit 2 --root "$t/r" \
	--audit-log "$t/fifo.log" -- /busybox sh -c '/fifo; exec /busybox sleep 100'
echo "    FIFO exec and a 2 s time limit: spxbox took $(($(date +%s) - start)) s"
"$BOX" --allow-exec --allow-fork --ro-bind "$t/bin" /hb --root "$t/r" --audit-log "$t/exec.log" \
	-- /busybox sh -c 'cd /hb && ./busybox true; /busybox true' >/dev/null 2>&1
sum=$(sha256sum /bin/busybox | cut -d' ' -f1)
# (the exec of a bound file is written once hashed: not in call order)
check "a relative exec is recorded with its absolute path in the job's view" \
	test "$(jq -r 'select(.op=="exec" and .first==false) | .path' "$t/exec.log" | sort | tr '\n' ' ')" = "/busybox /hb/./busybox "
check "an exec from a --ro-bind carries the hash of the bound file" \
	test "$(jq -r 'select(.op=="exec" and .path=="/hb/./busybox") | .sha256' "$t/exec.log")" = "$sum"
check "an exec from ROOT: spxfs's exec open carries the hash of what the kernel read" \
	test "$(jq -r 'select(.op=="open" and .exec==true) | .sha256' "$t/exec.log" | sort -u)" = "$sum"
check "the job's first exec has its path" \
	test "$(jq -r 'select(.op=="exec" and .first==true) | .path' "$t/exec.log")" = /busybox

# --- 7. What a job can make the root daemon hold ------------------------------
t=$(new_tmp)
mkdir "$t/r" "$t/m"
# 128 KiB worker stacks and 64 descriptors: a 3,000-deep evicted chain is
# re-resolved in a loop, not one stack frame per level.
MOUNTS+=("$t/m")
prlimit --nofile=64:64 --stack=131072 "$SPXFS" "$t/r" "$t/m" || fail "mount"
expect "a 3,000-deep evicted chain is re-resolved (128 KiB stacks)" 0 "^ok" \
	python3 "$(dirname "$0")/deep_tree.py" "$t/m" 3000
check "and spxfs still serves" test -d "$t/m/d/d"
unmount "$t/m"
mkdir "$t/r2" "$t/m2"
MOUNTS+=("$t/m2")
prlimit --nofile=1024:1024 "$SPXFS" "$t/r2" "$t/m2" || fail "mount"
mkdir -p "$t/r2/dirs" && (cd "$t/r2/dirs" && seq 1 400 | xargs mkdir)
opened=$(python3 -c '
import os, sys
fds = []
try:
    for i in range(1, 401): fds.append(os.open("%s/dirs/%d" % (sys.argv[1], i), os.O_RDONLY | os.O_DIRECTORY))
except OSError as e: print(len(fds), e.strerror)
else: print(len(fds))' "$t/m2")
echo "    400 directories opened at once through a spxfs of 1,024 descriptors: $opened"
check "open directories are capped at an eighth of the descriptors (128), then EMFILE" \
	test "$opened" = "128 Too many open files"
unmount "$t/m2"
mkdir "$t/r3" "$t/m3"
mount_spxfs "$t/r3" "$t/m3" --max-bytes=10K || fail "mount"
made=0
for i in 1 2 3 4; do mkdir "$t/m3/d$i" 2>/dev/null && made=$((made + 1)); done
check "--max-bytes counts directories (4 KiB each): 2 of 4 fit in 10K" test "$made" = 2
expect "--max-bytes counts symlink targets" 1 "Disk quota exceeded" \
	ln -s "$(printf 'x%.0s' $(seq 1 3000))" "$t/m3/l"
expect "--max-bytes counts extended attributes" 1 "Disk quota exceeded" \
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.big", b"x" * 3000)' "$t/m3/d1"
unmount "$t/m3"

# --- 8. Hardening ------------------------------------------------------------
t=$(new_tmp)
mkdir "$t/r" "$t/logs" "$t/keys" && chmod 0777 "$t/r"
cp /bin/busybox "$t/r/busybox"
head -c 32 /dev/urandom >"$t/keys/key"
expect "a job of pid 1's own uid (--uid 0) cannot read its memory or environment" 1 "Permission denied" \
	"$BOX" --uid 0 --gid 0 --root "$t/r" -- /busybox cat /proc/1/environ
expect "a log under a --bind source is refused" 125 "under the bind source" \
	"$BOX" --root "$t/r" --bind "$t/logs" /logs --audit-log "$t/logs/x.log" -- /busybox true
check "and not created" test ! -e "$t/logs/x.log"
expect "a key under a --ro-bind source is refused" 125 "--audit-key: is under the bind source" \
	"$BOX" --root "$t/r" --ro-bind "$t/keys" /keys --audit-log "$t/y.log" --audit-key "$t/keys/key" -- /busybox true
cp "$t/keys/key" "$t/r/key"
expect "a key inside ROOT is refused" 125 "--audit-key: is inside the job's root" \
	"$BOX" --root "$t/r" --audit-log "$t/z.log" --audit-key "$t/r/key" -- /busybox true
clone_newuser='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)
if pid == 0: os._exit(0)
print("cloned" if pid > 0 else "refused " + os.strerror(ctypes.get_errno()))'
expect "--allow-fork: clone with CLONE_NEWUSER is still refused" 0 "^refused" \
	"$BOX" --system --allow-fork --root "$t/r" -- /usr/bin/python3 -c "$clone_newuser"
expect "--allow-fork: a plain fork still works" 0 "^0$" \
	"$BOX" --system --allow-fork --root "$t/r" -- /usr/bin/python3 -c \
	'import os; p = os.fork(); os._exit(0) if p == 0 else print(os.waitpid(p, 0)[1])'

finish
