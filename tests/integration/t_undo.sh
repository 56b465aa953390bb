#!/bin/bash
# Undo: spxfs --undo-dir keeps what a job overwrites or deletes; spxaudit
# undo puts ROOT back. For every seed, random_ops (the model-based tester)
# makes a starting tree natively, then runs another seed's operations
# through spxfs; after undo, the tree (names, types, modes, owners, sizes,
# mtimes, symlink targets, content) must equal the snapshot taken before
# the job. Also: a kill -9 of spxfs mid-job, a host change after the job
# (refused), kept content altered (refused), a full undo directory, as an
# unprivileged user, and reflinks on an XFS image made here against copies
# on ext4; real programs (tar, sed -i, cp -a, rm -r, mv, git) over a copy
# of /usr/include/linux; and a job under spxbox --undo-dir. SPX_UNDO_SEEDS /
# SPX_UNDO_OPS size it.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=21 # checked by finish (lib.sh)
A=$SPX_BUILD/tools/spxaudit
SEEDS=${SPX_UNDO_SEEDS:-20}
OPS=${SPX_UNDO_OPS:-300}

# snapshot DIR: every entry's name, type, mode, owner, size, mtime and
# link target, and every file's SHA-256 (access and change times are not
# compared: reading moves the one, undo cannot set the other)
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %U %G %s %T@ %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort -k2)
}
same_as() { snapshot "$1" | cmp -s - "$2"; } # DIR SNAPSHOT-FILE
log_done() { wait_for log_ended "$1"; }
# job SEED OPS ROOT LOG UNDO [spxfs options...]: random_ops through spxfs
job() {
	local seed=$1 ops=$2 root=$3 log=$4 undo=$5
	shift 5
	MOUNTS+=("$t/mnt")
	"$SPXFS" --audit-log "$log" --undo-dir "$undo" "$@" "$root" "$t/mnt" || return 1
	"$HELPERS/random_ops" "$t/mnt" "$seed" "$ops" >/dev/null
	unmount "$t/mnt" && log_done "$log"
}

t=$(new_tmp)
mkdir "$t/mnt"
seeds_ok=0 seeds_changed=0 total=0
for seed in $(seq 1 "$SEEDS"); do
	rm -rf "$t/root" "$t/undo" "$t/log"
	mkdir "$t/root"
	"$HELPERS/random_ops" "$t/root" $((seed + 5000)) 80 >/dev/null # the tree before
	snapshot "$t/root" >"$t/before"
	job "$seed" "$OPS" "$t/root" "$t/log" "$t/undo" || { fail "seed $seed: the job did not run"; continue; }
	total=$((total + OPS))
	snapshot "$t/root" >"$t/after"
	cmp -s "$t/before" "$t/after" || seeds_changed=$((seeds_changed + 1))
	if "$A" undo "$t/log" >"$t/undo.out" 2>&1 && same_as "$t/root" "$t/before"; then
		seeds_ok=$((seeds_ok + 1))
	else
		fail "seed $seed: the tree after undo differs from the one before the job"
		sed 's/^/    /' "$t/undo.out" | head -5
		diff "$t/before" <(snapshot "$t/root") | head -10 | sed 's/^/    /'
	fi
done
echo "undo: $total operations over $SEEDS seeds; $seeds_changed changed the tree; $seeds_ok restored exactly"
check "random jobs: undo gives back the tree before the job, for every seed ($SEEDS)" test "$seeds_ok" = "$SEEDS"
check "control: every job changed the tree it ran on" test "$seeds_changed" = "$SEEDS"

# A fixed job for the cases below: a rewrite, an append, a delete, a
# rename over an existing file, a new file.
fixed_tree() {
	rm -rf "$t/root" "$t/undo" "$t/log"
	mkdir -p "$t/root/d"
	head -c 65536 /dev/urandom >"$t/root/big"
	echo one >"$t/root/d/one"
	echo two >"$t/root/two"
	setfattr_py "$t/root/d/one" user.kept "before"
	touch -d '2021-02-03 04:05:06' "$t/root/big" "$t/root/d/one" "$t/root/d" "$t/root"
	snapshot "$t/root" >"$t/before"
}
setfattr_py() { python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$@"; }
xattrs_of() { python3 -c 'import os, sys; print(sorted((n, os.getxattr(sys.argv[1], n)) for n in os.listxattr(sys.argv[1])))' "$1"; }
fixed_job() {
	setfattr_py "$t/mnt/d/one" user.kept "changed" && setfattr_py "$t/mnt/d/one" user.added "x" &&
		echo rewritten >"$t/mnt/big" && echo more >>"$t/mnt/d/one" && rm "$t/mnt/two" &&
		echo new >"$t/mnt/new" && mv "$t/mnt/new" "$t/mnt/d/one"
}
fixed_tree
MOUNTS+=("$t/mnt")
"$SPXFS" --audit-log "$t/log" --undo-dir "$t/undo" "$t/root" "$t/mnt"
fixed_job
unmount "$t/mnt" && log_done "$t/log"
cp "$t/log" "$t/fixed.log"
snapshot "$t/root" >"$t/job-left"
expect "--dry-run lists the steps" 0 "restore file /big" "$A" undo --dry-run "$t/log"
check "--dry-run changes nothing" same_as "$t/root" "$t/job-left"
echo "host edit" >>"$t/root/d/one"
expect "a host change after the job: refused, naming the path" 1 "/d/one \(or its directory\) changed after the job" \
	"$A" undo "$t/log"
check "refused: ROOT untouched" grep -q "host edit" "$t/root/d/one"
"$A" undo --force "$t/log" >/dev/null 2>&1
check "--force undoes anyway: the tree before the job" same_as "$t/root" "$t/before"
check "user.* attributes are given back (one changed, one added by the job)" \
	test "$(xattrs_of "$t/root/d/one")" = "[('user.kept', b'before')]"
fixed_tree
MOUNTS+=("$t/mnt")
"$SPXFS" --audit-log "$t/log" --undo-dir "$t/undo" "$t/root" "$t/mnt"
fixed_job
unmount "$t/mnt" && log_done "$t/log"
kept=$(jq -r 'select(.op=="preserve" and .path=="/big") | .undo' "$t/log")
echo tampered >>"$t/undo/$kept"
expect "kept content altered: that step fails, naming it" 1 "kept content does not match the log for /big" \
	"$A" undo "$t/log"

# kill -9 of spxfs in the middle of a job: what was recorded is undone.
rm -rf "$t/root" "$t/undo" "$t/log"
mkdir "$t/root"
"$HELPERS/random_ops" "$t/root" 7777 80 >/dev/null
snapshot "$t/root" >"$t/before"
MOUNTS+=("$t/mnt")
"$SPXFS" -f --audit-log "$t/log" --undo-dir "$t/undo" "$t/root" "$t/mnt" &
fs_pid=$!
wait_for is_mounted "$t/mnt"
"$HELPERS/random_ops" "$t/mnt" 4242 100000 >/dev/null 2>&1 &
ops_pid=$!
wait_until 20 sh -c "test \$(wc -l <'$t/log') -gt 2000"
kill -9 "$fs_pid"
wait "$fs_pid" 2>/dev/null
wait "$ops_pid" 2>/dev/null
wait_until 10 sh -c "! grep -q ' $t/mnt fuse' /proc/self/mounts"
# The log's end is unknown: what changed after its last record (the
# job's last, unrecorded steps) is named, and --force goes on.
expect "after kill -9: the log is incomplete; undo --force restores it" 0 "no end record" \
	"$A" undo --force "$t/log"
snapshot "$t/root" >"$t/undone"
check "after kill -9: every entry there before is back as it was" \
	test -z "$(comm -23 "$t/before" "$t/undone")"

# --undo-max: a change that needs more room fails, or with
# --undo-full=continue the job goes on without undo.
fixed_tree
MOUNTS+=("$t/mnt")
"$SPXFS" --audit-log "$t/log" --undo-dir "$t/undo" --undo-max 4K "$t/root" "$t/mnt"
expect "--undo-max: a rewrite that cannot be kept fails (EDQUOT)" 2 "Disk quota exceeded" \
	sh -c "echo x >'$t/mnt/big'"
check "--undo-max: the file is untouched" sh -c "test \$(stat -c %s '$t/root/big') = 65536"
unmount "$t/mnt" && log_done "$t/log"
rm -rf "$t/undo" "$t/log"
"$SPXFS" --audit-log "$t/log" --undo-dir "$t/undo" --undo-max 4K --undo-full=continue "$t/root" "$t/mnt"
check "--undo-full=continue: the job goes on, the log says undo stopped" sh -c "
	echo x >'$t/mnt/big' && fusermount3 -u '$t/mnt' && sleep 0 && grep -q '\"op\":\"undo_stopped\"' '$t/log'"

# Unprivileged: a user's job and undo, on the user's own tree.
u=$(new_tmp)
mkdir "$u/root" "$u/mnt"
chown "$TEST_USER" "$u" "$u/root" "$u/mnt"
as_user "$HELPERS/random_ops" "$u/root" 5151 80 >/dev/null
snapshot "$u/root" >"$u/before"
MOUNTS+=("$u/mnt")
as_user "$SPXFS" --audit-log "$u/log" --undo-dir "$u/undo" "$u/root" "$u/mnt"
as_user "$HELPERS/random_ops" "$u/mnt" 99 300 >/dev/null
as_user fusermount3 -u "$u/mnt"
wait_for log_ended "$u/log"
as_user "$A" undo "$u/log" >/dev/null
check "unprivileged: a user's job undone by the user, exactly" same_as "$u/root" "$u/before"

# Real programs over a real tree: tar extracting over it, sed -i, cp -a,
# rm -r, mv, git init and commit.
g=$(new_tmp)
mkdir "$g/root" "$g/mnt"
cp -a /usr/include/linux "$g/root/linux"
tar -C /usr/include -cf "$g/net.tar" net linux/netfilter
snapshot "$g/root" >"$g/before"
MOUNTS+=("$g/mnt")
"$SPXFS" --audit-log "$g/log" --undo-dir "$g/undo" "$g/root" "$g/mnt"
(cd "$g/mnt" && tar -xf "$g/net.tar" && sed -i 's/define/DEFINE/' linux/types.h linux/fs.h &&
	cp -a linux/can linux/can2 && rm -r linux/usb linux/netfilter_ipv4 && mv linux/input.h linux/input.h.old &&
	mv linux/can2 linux/can3 && git init -q repo && cp linux/*.h repo/ 2>/dev/null; cd repo &&
	git add . && git -c user.email=t@t -c user.name=t commit -qm x) >/dev/null 2>&1
unmount "$g/mnt" && wait_for log_ended "$g/log"
"$A" undo "$g/log" >"$g/undo.out" 2>&1
check "real programs (tar over the tree, sed -i, cp -a, rm -r, mv, git): undone exactly" \
	same_as "$g/root" "$g/before"
echo "real programs: $(grep -c '"op":"preserve"' "$g/log") pre-images, $(tail -1 "$g/undo.out")"

# spxbox --undo-dir: the same for a sandboxed job.
b=$(new_tmp)
mkdir -p "$b/root/bin" "$b/root/data"
cp /bin/busybox "$b/root/bin/busybox"
ln -s busybox "$b/root/bin/sh"
echo kept >"$b/root/data/f"
echo gone >"$b/root/data/g"
snapshot "$b/root" >"$b/before"
"$SPX_BUILD/sandbox/spxbox" --root "$b/root" --audit-log "$b/log" --undo-dir "$b/undo" -- \
	/bin/sh -c 'echo changed >/data/f; echo new >/data/n; mkdir /data/d; : >/data/g' >/dev/null 2>&1
"$A" undo "$b/log" >/dev/null
check "spxbox --undo-dir: the job undone exactly" same_as "$b/root" "$b/before"

# ROOT and the undo directory on filesystems of different kinds (a tmpfs
# and /tmp's): kept and put back by plain copy.
x=$(new_tmp)
xr=$(mktemp -d /dev/shm/spx-test.XXXXXX)
echo "$xr" >>"$TMPLIST"
mkdir "$x/mnt"
echo original >"$xr/f"
snapshot "$xr" >"$x/before"
MOUNTS+=("$x/mnt")
"$SPXFS" --audit-log "$x/log" --undo-dir "$x/undo" "$xr" "$x/mnt"
echo changed >"$x/mnt/f"
unmount "$x/mnt" && wait_for log_ended "$x/log"
"$A" undo "$x/log" >/dev/null
check "ROOT on a tmpfs, the undo directory elsewhere: undone exactly" same_as "$xr" "$x/before"

# Reflink where the filesystem has it (XFS, made here), copy on ext4.
img=$(new_tmp)
truncate -s 600M "$img/xfs.img"
if mkfs.xfs -q -m reflink=1 "$img/xfs.img" && mkdir "$img/x" && mount -o loop "$img/xfs.img" "$img/x"; then
	mkdir "$img/x/root" "$img/mnt"
	head -c $((64 << 20)) /dev/urandom >"$img/x/root/big"
	sync
	snapshot "$img/x/root" >"$img/before"
	free0=$(df --output=avail -k "$img/x" | tail -1)
	MOUNTS+=("$img/mnt")
	"$SPXFS" --audit-log "$img/log" --undo-dir "$img/x/undo" "$img/x/root" "$img/mnt"
	chmod 600 "$img/mnt/big" # kept whole: the pre-image of a mode change
	sync
	free1=$(df --output=avail -k "$img/x" | tail -1)
	echo tail >>"$img/mnt/big"
	unmount "$img/mnt" && wait_for log_ended "$img/log"
	echo "XFS: the 64 MiB file kept by $(jq -r 'select(.op=="preserve" and .path=="/big") | .method' "$img/log" | head -1), $((free0 - free1)) KiB more used"
	method=$(jq -r 'select(.op=="preserve" and .path=="/big") | .method' "$img/log")
	check "XFS: the pre-image is a reflink, sharing the file's blocks" \
		test "$method" = reflink -a $((free0 - free1)) -lt 4096
	"$A" undo "$img/log" >/dev/null
	check "XFS: undo puts the 64 MiB file back" same_as "$img/x/root" "$img/before"
	umount "$img/x"
else
	not_run "XFS: no loop device or mkfs.xfs here"
	not_run "XFS: no loop device or mkfs.xfs here"
fi
methods=$(jq -r 'select(.op=="preserve" and .type=="file") | .method' "$t/fixed.log" | sort -u)
check "ext4: the pre-images are copies" test "$methods" = copy
finish
