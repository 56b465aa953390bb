#!/bin/bash
# Differential conformance: posix_ops runs the same calls on a native
# directory and through spxfs; the outputs must be identical. Three ways:
# root daemon + root caller, root daemon (allow_other) + unprivileged
# caller, unprivileged daemon (through fusermount3) + the same user.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=26 # checked by finish (lib.sh)

# Names, types, modes, owners and file sizes of a tree (directory sizes are
# the backing filesystem's business).
tree_of() {
	(cd "$1" && find . \( -type d -printf '%p %y %m %u %g\n' \) -o -printf '%p %y %m %s %u %g\n' | sort)
}

# compare NAME USER MOUNT_AS [spxfs options...]
compare() {
	local name=$1 user=$2 mount_as=$3
	shift 3
	local t
	t=$(new_tmp)
	mkdir "$t/native" "$t/root" "$t/mnt"
	"$(dirname "$0")/fixture.sh" "$t/native"
	"$(dirname "$0")/fixture.sh" "$t/root"
	chown "$user" "$t/native" "$t/root" "$t/mnt"
	local as=() opts=() o audited=0
	[ "$mount_as" != root ] && as=(--as "$mount_as")
	for o in "$@"; do # AUDIT stands for a log in this test's directory
		[ "$o" = AUDIT ] && o=--audit-log=$t/audit.log audited=1
		opts+=("$o")
	done
	if ! mount_spxfs "${as[@]}" "$t/root" "$t/mnt" "${opts[@]}"; then
		fail "$name: mount"
		return
	fi
	# Confined before it serves anything (fs/main.c): a root daemon keeps
	# CAP_CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, SETGID, SETUID (0xdf)
	# alone, an unprivileged one nothing; its unmounter as root keeps
	# CAP_SYS_ADMIN (0x200000) alone. Then every operation below runs.
	local want=0000000000000000 uwant=0000000000200000
	[ "$mount_as" = root ] && want=00000000000000df
	check "$name: daemon confined (seccomp, no_new_privs, CapEff $want)" \
		wait_for confined_daemon spxfs "$t/root" "$want"
	if [ "$mount_as" = root ]; then
		check "$name: unmounter confined (CapEff $uwant)" \
			wait_for confined_daemon spxfs-unmount "$t/root" "$uwant"
	fi
	runuser -u "$user" -- "$HELPERS/posix_ops" "$t/native" >"$t/native.out" 2>/dev/null
	runuser -u "$user" -- "$HELPERS/posix_ops" "$t/mnt" >"$t/spxfs.out" 2>/dev/null
	local lines
	lines=$(wc -l <"$t/native.out")
	if [ "$lines" -gt 150 ] && diff -u "$t/native.out" "$t/spxfs.out" >"$t/diff"; then
		pass "$name: $lines results identical to native"
	else
		fail "$name: differs from native ($lines lines)"
		head -40 "$t/diff" | sed 's/^/    /'
	fi
	# The tree left behind must be the same too (names, types, modes, sizes).
	local tn ts
	tn=$(tree_of "$t/native")
	ts=$(tree_of "$t/root")
	if [ "$tn" = "$ts" ]; then
		pass "$name: resulting host tree identical"
	else
		fail "$name: resulting host tree differs"
		diff <(echo "$tn") <(echo "$ts") | head -20 | sed 's/^/    /'
	fi
	unmount "$t/mnt" || fail "$name: unmount"
	if [ "$audited" = 1 ]; then
		check "$name: its audit log was written" test -s "$t/audit.log"
		wait_for grep -q '"op":"end"' "$t/audit.log"
		expect "$name: its audit log verifies" 0 intact "$SPX_BUILD/tools/spxaudit" verify "$t/audit.log"
	fi
}

# most_lookups_at_once DEBUG: the largest number of LOOKUPs of one
# directory that a FUSE server (its -d output) had begun and not yet
# answered at one time. libfuse prints a request as it begins it and its
# reply before sending it: with the kernel's mutex per directory a second
# LOOKUP of it cannot begin before the first's reply is printed.
most_lookups_at_once() {
	awk '/opcode: LOOKUP/ { u = $2; sub(",", "", u); n = $6; sub(",", "", n)
			dir[u] = n; if (++open[n] > most) most = open[n] }
	     /^   unique: / { u = $2; sub(",", "", u)
			if (u in dir) { open[dir[u]]--; delete dir[u] } }
	     END { print most + 0 }' "$1"
}

# parallel_lookups NAME USER SERVER...: USER mounts a fresh $t/NAME/mnt
# with SERVER (in the foreground, debug output to $t/NAME.d) and looks up
# 2,000 missing names in one directory from each of two processes at once;
# prints most_lookups_at_once of what the server saw.
parallel_lookups() {
	local name=$1 user=$2
	shift 2
	local dir=$t/$name as=()
	[ "$user" != root ] && as=(runuser -u "$user" --)
	mkdir -p "$dir/src/d" "$dir/mnt"
	chown -R "$user" "$dir"
	"${as[@]}" "$@" "$dir/src" "$dir/mnt" 2>"$t/$name.d" &
	local server=$!
	MOUNTS+=("$dir/mnt")
	wait_for is_mounted "$dir/mnt" || { kill "$server"; return 1; }
	local p pids=()
	for p in a b; do
		"${as[@]}" python3 -c 'import os, sys
for i in range(2000):
	try: os.stat("%s/%s%d" % (sys.argv[1], sys.argv[2], i))
	except FileNotFoundError: pass' "$dir/mnt/d" "$p" &
		pids+=($!)
	done
	wait "${pids[@]}"
	unmount "$dir/mnt" && wait "$server"
	most_lookups_at_once "$t/$name.d"
}

# Lookups in one directory run in parallel: spxfs answers the kernel's
# INIT with FUSE_PARALLEL_DIROPS, which libfuse 3.14 drops from its own
# reply (fs/session_io.h). Control: bindfs, on the same libfuse, gets the
# kernel's mutex, and the count sees it.
t=$(new_tmp)
n=$(parallel_lookups spxfs root "$SPXFS" -f -d)
check "two processes' lookups in one directory overlap in spxfs (at most $n at once)" \
	test "${n:-0}" -ge 2
n=$(parallel_lookups spxfs-user "$TEST_USER" "$SPXFS" -f -d)
check "the same in an unprivileged spxfs (at most $n at once)" test "${n:-0}" -ge 2
n=$(parallel_lookups bindfs root bindfs -f -d)
check "control: through bindfs they take turns (at most $n at once)" test "${n:-0}" -eq 1

compare "root" root root
compare "user via allow_other" "$TEST_USER" root -o allow_other
compare "unprivileged daemon" "$TEST_USER" "$TEST_USER"
compare "root, audited (strict)" root root AUDIT --audit-sync=strict
compare "user via allow_other, audited" "$TEST_USER" root -o allow_other AUDIT
finish
