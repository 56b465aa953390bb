#!/bin/bash
# The spxfs command line: bad input gets one clear line, the documented
# exit status and no mount left behind; signals unmount cleanly.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=32 # checked by finish (lib.sh)

t=$(new_tmp)
mkdir "$t/root" "$t/mnt" "$t/root/inner"
touch "$t/file"

fuse_mounts() { grep -c " $t/mnt fuse" /proc/self/mounts; }

# one_line NAME STATUS PATTERN ARGS...: exactly one line on stderr, nothing mounted.
one_line() {
	local name=$1 status=$2 pattern=$3
	shift 3
	local rc=0 before
	before=$(fuse_mounts)
	"$SPXFS" "$@" >"$t/out" 2>"$t/err" || rc=$?
	local lines
	lines=$(wc -l <"$t/err")
	if [ "$rc" = "$status" ] && [ "$lines" = 1 ] && grep -Eq -- "$pattern" "$t/err" &&
		[ "$(fuse_mounts)" = "$before" ]; then
		pass "$name"
	else
		fail "$name (exit $rc, $lines lines)"
		sed 's/^/    /' "$t/err"
	fi
}

one_line "missing ROOT" 2 "ROOT '.*/nope': No such file or directory" "$t/nope" "$t/mnt"
one_line "ROOT is a file" 2 "ROOT '.*': not a directory" "$t/file" "$t/mnt"
one_line "missing MOUNTPOINT" 2 "MOUNTPOINT '.*': No such file" "$t/root" "$t/nomnt"
one_line "MOUNTPOINT equals ROOT" 2 "inside ROOT" "$t/root" "$t/root"
one_line "MOUNTPOINT inside ROOT" 2 "inside ROOT" "$t/root" "$t/root/inner"
one_line "MOUNTPOINT inside ROOT via .." 2 "inside ROOT" "$t/root" "$t/mnt/../root/inner"
one_line "ROOT inside MOUNTPOINT" 2 "inside MOUNTPOINT" "$t/root/inner" "$t/root/../root"
one_line "unknown option" 2 "unknown option: --frobnicate" --frobnicate "$t/root" "$t/mnt"
one_line "missing arguments" 2 "missing ROOT or MOUNTPOINT" "$t/root"
one_line "too many arguments" 2 "too many arguments" "$t/root" "$t/mnt" extra
one_line "bad cache timeout" 2 "cache-timeout" -t -1 "$t/root" "$t/mnt"
expect "--help" 0 "usage: spxfs" "$SPXFS" --help
expect "--version" 0 "^spxfs [0-9]" "$SPXFS" --version

# An unknown -o option: libfuse names it, spxfs says what happened.
rc=0
"$SPXFS" -o bogus_option "$t/root" "$t/mnt" 2>"$t/err" || rc=$?
if [ $rc = 2 ] && grep -q "bogus_option" "$t/err" && grep -q "^spxfs: invalid -o" "$t/err" && ! is_mounted "$t/mnt"; then
	pass "unknown -o option"
else
	fail "unknown -o option (exit $rc)"
	sed 's/^/    /' "$t/err"
fi

# A busy mountpoint.
mount_spxfs "$t/root" "$t/mnt" || fail "mount"
one_line "mountpoint already mounted" 1 "already a mount point" "$t/root" "$t/mnt"
check "the first mount still serves" test -d "$t/mnt/inner"
check "fusermount3 -u unmounts" unmount "$t/mnt"

# Foreground mode: the process stays, and SIGTERM / SIGINT unmount cleanly.
for sig in TERM INT; do
	MOUNTS+=("$t/mnt")
	# A background job of a script starts with SIGINT ignored; give it
	# back its default so spxfs can handle it as from a terminal.
	env --default-signal=INT "$SPXFS" -f "$t/root" "$t/mnt" &
	pid=$!
	if wait_for is_mounted "$t/mnt"; then
		pass "-f mounts in the foreground (SIG$sig run)"
	else
		fail "-f did not mount"
	fi
	kill -$sig $pid
	rc=0
	wait $pid || rc=$?
	if [ $rc = 0 ] && ! is_mounted "$t/mnt"; then
		pass "SIG$sig unmounts cleanly and exits 0"
	else
		fail "SIG$sig: exit $rc, mounted: $(is_mounted "$t/mnt" && echo yes || echo no)"
	fi
done

# Read-only.
echo data >"$t/root/ro-file"
mount_spxfs "$t/root" "$t/mnt" --read-only || fail "mount read-only"
expect "read-only: reads work" 0 "data" cat "$t/mnt/ro-file"
expect "read-only: writes refused" 2 "Read-only file system" sh -c "echo x >> '$t/mnt/ro-file'"
expect "read-only: creates refused" 1 "Read-only file system" touch "$t/mnt/new"
check "read-only: ROOT unchanged" test "$(cat "$t/root/ro-file")" = data -a ! -e "$t/root/new"
unmount "$t/mnt" || fail "unmount read-only"

# A write quota.
q=$(new_tmp)
mkdir "$q/root"
mount_spxfs "$q/root" "$t/mnt" --max-bytes=100K || fail "mount with a quota"
expect "quota: 60K fits" 0 "" dd if=/dev/zero of="$t/mnt/a" bs=1K count=60 status=none
expect "quota: 60K more is refused with EDQUOT" 1 "Disk quota exceeded" dd if=/dev/zero of="$t/mnt/b" bs=1K count=60 status=none
check "quota: what was written stays within it" test "$(du -sk --apparent-size "$q/root" | cut -f1)" -le 104
unmount "$t/mnt" || fail "unmount quota"
one_line "bad --max-bytes" 2 "max-bytes" --max-bytes=lots "$t/root" "$t/mnt"

# A host process deleting ROOT underneath a running mount: errors, no hang.
mkdir "$t/doomed"
echo x >"$t/doomed/f"
mount_spxfs "$t/doomed" "$t/mnt" || fail "mount doomed"
rm -rf "$t/doomed"
expect "ROOT deleted underneath: lookups fail cleanly" 1 "No such file" timeout 10 cat "$t/mnt/f"
expect "ROOT deleted underneath: creates fail cleanly" 1 "No such file" timeout 10 touch "$t/mnt/g"
check "ROOT deleted underneath: unmounts" unmount "$t/mnt"
finish
