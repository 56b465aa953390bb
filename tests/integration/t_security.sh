#!/bin/bash
# The findings of the security review (issue 10), each reproduced: who may
# own what spxfs makes, where a root daemon mounts and unmounts, what the
# sandbox's setup may touch, and what a job can take from its supervisor.
# Run as root; the attacker is the unprivileged test user.
set -u
. "$(dirname "$0")/lib.sh"
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
expect "appending to root's 0644 file is refused" 2 "Permission denied" as_user sh -c "echo z >>$t/m/rootfile"
expect "a name swapped between create and chown is not given away" 0 "rootfile owner 0" \
	"$HELPERS/race_owner" swap "$t/r" "$t/m" "$uid" 20000
expect "create meeting a root file that appeared meanwhile opens nothing of root's" 0 \
	" 0 of them a file of another user" "$HELPERS/race_owner" create "$t/r" "$t/m" "$uid" 20000
check "root's 0600 file that kept appearing was never truncated by the job" \
	sh -c "[ ! -e $t/r/v ] || [ \"\$(stat -c %u $t/r/v)\" = 0 ]"
unmount "$t/m"

finish
