#!/bin/bash
# The audit log end to end: spxfs records through a real mount, spxaudit
# reads and verifies; tampering, crashes and a full disk are detected.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=77 # checked by finish (lib.sh)
A=$SPX_BUILD/tools/spxaudit

# start_audited ROOT MNT LOG [options...]: spxfs in the foreground (so its
# pid and its closing line are ours), polled until mounted.
start_audited() {
	local root=$1 mnt=$2 log=$3
	shift 3
	MOUNTS+=("$mnt")
	# stderr beside, not with, the log: the log's disk may be full.
	"$SPXFS" -f --audit-log "$log" "$@" "$root" "$mnt" 2>"$(stderr_of "$log")" &
	SPX_PID=$!
	wait_for is_mounted "$mnt"
}
stderr_of() { echo "$t/stderr$(echo "$1" | tr / _)"; }
stop_audited() {
	fusermount3 -u "$1"
	wait "$SPX_PID"
}
rec() { jq -c "select($2)" "$1"; } # rec LOG JQ-CONDITION

t=$(new_tmp)
mkdir "$t/root" "$t/mnt"
head -c 100000 /dev/urandom >"$t/root/input.bin"
start_audited "$t/root" "$t/mnt" "$t/log" || fail "mount with --audit-log"

# Known content written in pieces, with an overwrite in the middle.
exec 7<>"$t/mnt/out.txt"
printf 'aaaaaaaaaa' >&7
printf 'bbbbbbbbbb' >&7
exec 7>&-
printf 'XY' | dd of="$t/mnt/out.txt" bs=1 seek=5 conv=notrunc status=none
printf 'tail' >>"$t/mnt/out.txt"
seq 1 1000 >"$t/mnt/seq.txt" # sequential from 0: hashed incrementally
cat "$t/mnt/input.bin" >/dev/null
head -c 10 "$t/mnt/input.bin" >/dev/null
mkdir "$t/mnt/dir"
mv "$t/mnt/seq.txt" "$t/mnt/dir/seq.txt"
ln -s /etc/passwd "$t/mnt/link"
chmod 600 "$t/mnt/out.txt"
rm "$t/mnt/link"
cat "$t/mnt/nonexistent" 2>/dev/null
stop_audited "$t/mnt" || fail "unmount"

out_sha=$(sha256sum <"$t/root/out.txt" | cut -d' ' -f1)
seq_sha=$(sha256sum <"$t/root/dir/seq.txt" | cut -d' ' -f1)
in_sha=$(sha256sum <"$t/root/input.bin" | cut -d' ' -f1)
check "content written in pieces with a middle overwrite: final SHA-256 recorded" \
	test "$(rec "$t/log" '.op=="close" and .path=="/out.txt"' | tail -1 | jq -r .sha256_final)" = "$out_sha"
check "the content is what was written" test "$(cat "$t/root/out.txt")" = "aaaaaXYaaabbbbbbbbbbtail"
check "sequential write: final SHA-256 recorded" \
	test "$(rec "$t/log" '.op=="close" and .path=="/seq.txt"' | jq -r .sha256_final)" = "$seq_sha"
check "file read in full: SHA-256 of what was read" \
	test "$(rec "$t/log" '.op=="close" and .path=="/input.bin" and .sha256_read!=null' | jq -r .sha256_read)" = "$in_sha"
check "partial read: ranges and bytes, no hash" \
	test "$(rec "$t/log" '.op=="close" and .path=="/input.bin" and .sha256_read==null and .read>0' | jq -c '.read_ranges|length>0')" = true
check "rename has both paths" test -n "$(rec "$t/log" '.op=="rename" and .path=="/seq.txt" and .path2=="/dir/seq.txt"')"
check "symlink has its target" test -n "$(rec "$t/log" '.op=="symlink" and .target=="/etc/passwd"')"
check "chmod recorded with the mode" test -n "$(rec "$t/log" '.op=="chmod" and .mode==384')"
check "records carry pid, uid, gid and RFC 3339 times" \
	test "$(rec "$t/log" '.op=="mkdir"' | jq -r '[.pid>0, .uid==0, (.time|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$"))]|all')" = true
head=$(sed -n 's/.*chain head \([0-9a-f]*\).*/\1/p' "$(stderr_of "$t/log")")
check "spxfs prints the chain head at unmount" test ${#head} = 64
expect "verify: intact log" 0 "intact" "$A" verify "$t/log"
expect "verify: intact log with --head" 0 "intact" "$A" verify --head "$head" "$t/log"

# Tampering, each on a copy.
n=$(wc -l <"$t/log")
cp "$t/log" "$t/byte"
sed -i '5s/"pid":/"pid":1/' "$t/byte"
expect "verify: one byte changed" 1 "line [56]: the chain breaks" "$A" verify "$t/byte"
sed '6d' "$t/log" >"$t/removed"
expect "verify: a record removed" 1 "line 6: expected seq 5" "$A" verify "$t/removed"
awk 'NR==7{l=$0; next} NR==8{print; print l; next} {print}' "$t/log" >"$t/swapped"
expect "verify: two records swapped" 1 "line 7: expected seq 6" "$A" verify "$t/swapped"
head -n $((n - 3)) "$t/log" >"$t/truncated"
expect "verify: truncated at a line boundary looks incomplete" 3 "no end record" "$A" verify "$t/truncated"
expect "verify: truncated tail caught with --head" 1 "not the one given" "$A" verify --head "$head" "$t/truncated"
head -c -30 "$t/log" >"$t/torn"
expect "verify: torn last line reported as such" 3 "torn tail" "$A" verify "$t/torn"
expect "show: a torn log is shown up to its tail" 0 "mkdir" "$A" show "$t/torn"

# A keyed chain.
head -c 32 /dev/urandom >"$t/key"
head -c 32 /dev/urandom >"$t/wrongkey"
start_audited "$t/root" "$t/mnt" "$t/klog" --audit-key "$t/key" || fail "mount with a key"
echo keyed >"$t/mnt/k.txt"
stop_audited "$t/mnt" || fail "unmount keyed"
expect "keyed: verifies with its key" 0 "intact" "$A" verify --key "$t/key" "$t/klog"
expect "keyed: wrong key detected" 1 "wrong key" "$A" verify --key "$t/wrongkey" "$t/klog"
expect "keyed: no key given" 1 "give its key" "$A" verify "$t/klog"
# Re-forging without the key: edit a path, recompute every link as plain
# SHA-256 (reforge.py). Control: the forger does fool an unkeyed log.
RF="$(dirname "$0")/reforge.py"
python3 "$RF" "$t/log" "$t/forged-plain" /out.txt /own.txt
check "control: an unkeyed log re-forged verifies intact, with the edit" \
	sh -c "'$A' verify '$t/forged-plain' | grep -q intact && grep -q /own.txt '$t/forged-plain'"
python3 "$RF" "$t/klog" "$t/forged" k.txt f.txt
expect "keyed: an edit re-forged without the key fails with the key" 1 "wrong key|breaks" \
	"$A" verify --key "$t/key" "$t/forged"
python3 "$RF" "$t/klog" "$t/downgraded" k.txt f.txt --downgrade
expect "keyed: re-forged as an unkeyed log, it fails with the key" 1 "not keyed" \
	"$A" verify --key "$t/key" "$t/downgraded"

# kill -9 in the middle of writes.
start_audited "$t/root" "$t/mnt" "$t/killed" --audit-sync=strict || fail "mount strict"
( for i in $(seq 1 100000); do echo "$i" >"$t/mnt/w$((i % 50))" || exit 0; done ) 2>/dev/null &
writer=$!
wait_for sh -c "[ \$(wc -l <'$t/killed') -gt 200 ]"
unmounter=$(pgrep -P "$SPX_PID" -x spxfs-unmount)
kill -9 "$SPX_PID"
wait "$SPX_PID" 2>/dev/null
gone() { ! kill -0 "$1" 2>/dev/null; }
if wait_until 20 gone "$writer"; then
	pass "kill -9: the writing job sees errors and stops, no hang"
else
	fail "kill -9: the writer hangs"
	kill $writer
fi
expect "kill -9: log verifies to its last complete record" 3 "all [0-9]+ records" "$A" verify "$t/killed"
# spxfs's unmounter (fs/unmounter.c) outlives it and removes the mount.
check "kill -9: the unmounter removes the dead mount" wait_for sh -c "! grep -q ' $t/mnt fuse' /proc/self/mounts"
check "kill -9: the unmounter has ended too" wait_for sh -c "[ -n '$unmounter' ] && ! kill -0 '$unmounter' 2>/dev/null"

# Refusals.
expect "refuses a log inside ROOT" 2 "inside ROOT" "$SPXFS" --audit-log "$t/root/log" "$t/root" "$t/mnt"
expect "refuses a log through a symlink into ROOT" 2 "exists|inside ROOT" sh -c "ln -sfn '$t/root' '$t/rootlink' && '$SPXFS' --audit-log '$t/rootlink/x.log' '$t/root' '$t/mnt'"
expect "refuses to overwrite a log" 2 "already exists" "$SPXFS" --audit-log "$t/log" "$t/root" "$t/mnt"
expect "bad --audit-sync" 2 "none, batch or strict" "$SPXFS" --audit-sync=sometimes --audit-log "$t/x" "$t/root" "$t/mnt"
expect "short key refused" 2 "16 to 1024 bytes" sh -c "echo short > '$t/short'; '$SPXFS' --audit-key '$t/short' --audit-log '$t/y' '$t/root' '$t/mnt'"
check "nothing mounted after refusals" test "$(grep -c " $t/mnt fuse" /proc/self/mounts)" = 0

# The log's filesystem fills up: operations fail with EIO, nothing unrecorded.
mkdir "$t/small"
mount -t tmpfs -o size=192k spxtest-log "$t/small"
start_audited "$t/root" "$t/mnt" "$t/small/log" || fail "mount with log on a small tmpfs"
fails=0
for i in $(seq 1 3000); do
	if ! touch "$t/mnt/fill-$i" 2>"$t/touch.err"; then
		fails=$i
		break
	fi
done
check "full log disk: an operation fails" test "$fails" -gt 0
check "full log disk: with EIO" grep -q "Input/output error" "$t/touch.err"
expect "full log disk: later operations fail too" 1 "Input/output error" touch "$t/mnt/after-full"
check "full log disk: the refused file was not created" test ! -e "$t/root/after-full"
created=$(ls "$t/root" | grep -c '^fill-')
stop_audited "$t/mnt"
check "full log disk: the failure was reported once, saying why" \
	test "$(grep -c 'No space left on device; refusing every further operation' "$(stderr_of "$t/small/log")")" = 1
recorded=$(jq -r 'select(.op=="create" and .result=="ok") | .path' "$t/small/log" | grep -c '^/fill-')
check "full log disk: every file that exists was recorded ($created files, $recorded records)" test "$created" = "$recorded"
expect "full log disk: the log verifies as far as it goes" 3 "all [0-9]+ records verify" "$A" verify "$t/small/log"
umount "$t/small"

# ROOT's own filesystem fills up: ENOSPC reaches the writer, the log
# records it (and keeps working: it is on another filesystem).
mkdir "$t/smallroot" "$t/fullmnt"
mount -t tmpfs -o size=1m spxtest-root "$t/smallroot"
start_audited "$t/smallroot" "$t/fullmnt" "$t/rootfull" || fail "mount a 1 MiB ROOT"
dd if=/dev/zero of="$t/fullmnt/big" bs=64k count=64 2>"$t/dd.err"
check "full ROOT: the writer gets ENOSPC" grep -q "No space left on device" "$t/dd.err"
check "full ROOT: the mount still serves" sh -c "rm '$t/fullmnt/big' && echo ok > '$t/fullmnt/small' && test \"\$(cat '$t/fullmnt/small')\" = ok"
stop_audited "$t/fullmnt"
check "full ROOT: the close record names ENOSPC and counts the failed writes" \
	test -n "$(rec "$t/rootfull" '.op=="close" and .path=="/big" and .write_error=="ENOSPC" and .write_errors >= 1 and .written > 0')"
expect "full ROOT: the log verifies intact" 0 intact "$A" verify "$t/rootfull"
umount "$t/smallroot"

# Paths that are not UTF-8 round-trip exactly.
start_audited "$t/root" "$t/mnt" "$t/utf" || fail "mount utf"
touch "$t/mnt/$(printf 'bad\377name')"
stop_audited "$t/mnt"
check "non-UTF-8 name stored exactly as hex" test -n "$(rec "$t/utf" '.op=="create" and .path_hex=="2f626164ff6e616d65"')"
expect "non-UTF-8 log still verifies" 0 intact "$A" verify "$t/utf"

# strict mode and --audit-level=all.
start_audited "$t/root" "$t/mnt" "$t/strict" --audit-sync=strict --audit-level=all || fail "mount strict/all"
echo s >"$t/mnt/strict.txt"
stat "$t/mnt/input.bin" >/dev/null
echo more >>"$t/mnt/input.bin"
cat "$t/mnt/nonexistent" 2>/dev/null
stop_audited "$t/mnt"
check "strict mode: header says strict" test "$(head -1 "$t/strict" | jq -r .options.sync)" = strict
check "level all: lookups recorded" test -n "$(rec "$t/strict" '.op=="lookup" and .path=="/input.bin"')"
check "level all: failed lookup recorded with its errno" test -n "$(rec "$t/strict" '.op=="lookup" and .path=="/nonexistent" and .result=="ENOENT"')"
check "level ops: lookups not recorded" test -z "$(rec "$t/log" '.op=="lookup"')"

# An unprivileged daemon with an audit log, and a user caller.
u=$(new_tmp)
mkdir "$u/root" "$u/mnt"
chown "$TEST_USER" "$u" "$u/root" "$u/mnt"
MOUNTS+=("$u/mnt")
as_user "$SPXFS" --audit-log "$u/log" "$u/root" "$u/mnt" || fail "unprivileged audited mount"
as_user sh -c "echo hi > '$u/mnt/user.txt'"
as_user fusermount3 -u "$u/mnt"
wait_for log_ended "$u/log"
check "unprivileged: the write is recorded with the user's uid" \
	test "$(rec "$u/log" '.op=="close" and .path=="/user.txt"' | jq -r .uid)" = "$(id -u "$TEST_USER")"
expect "unprivileged: the log verifies" 0 intact "$A" verify "$u/log"

# spxaudit on top: changes, summary, show filters, diff, bad input.
expect "changes: created file with its hash" 0 "^A  /out.txt  $out_sha" "$A" changes "$t/log"
expect "changes: renamed-in-run created file stays added" 0 "^A  /dir/seq.txt  $seq_sha" "$A" changes "$t/log"
check "changes: created then deleted leaves nothing" sh -c "! '$A' changes '$t/log' | grep -q /link"
expect "changes: modified pre-existing file with its new hash" 0 "^M  /input.bin  $(sha256sum <"$t/root/input.bin" | cut -d' ' -f1)" "$A" changes "$t/strict"
expect "summary: counts and bytes" 0 "create .* [0-9]+ .* 0" "$A" summary "$t/log"
expect "show --op --path" 0 "rename .*/seq.txt -> /dir/seq.txt" "$A" show --op rename --path '/seq*' "$t/log"
expect "show --failed" 0 "lookup .*ENOENT .*/nonexistent" "$A" show --failed "$t/strict"
expect "show --json is JSON Lines" 0 '^\{"seq":' "$A" show --json --op mkdir "$t/log"
check "show --since in the future shows nothing" \
	test "$("$A" show --since 2999-01-01T00:00:00Z "$t/log"; echo "rc=$?")" = "rc=0"
expect "show --pid" 0 "mkdir" "$A" show --pid "$(rec "$t/log" '.op=="mkdir"' | jq -r .pid)" "$t/log"
check "diff: same log, no differences" test "$("$A" diff "$t/log" "$t/log"; echo "rc=$?")" = "rc=0"
expect "diff: two runs that wrote different content" 1 "write /out.txt|read  /input.bin|write /k.txt" "$A" diff "$t/log" "$t/klog"
expect "changes --json" 0 '"change": "A"' "$A" changes --json "$t/log"
expect "summary --json" 0 '"operations"' "$A" summary --json "$t/log"
expect "diff --json" 1 '"kind": "write"' "$A" diff --json "$t/log" "$t/klog"
expect "follow: reads a finished log to its end" 0 "# end" timeout 10 "$A" follow "$t/log"
: >"$t/empty"
expect "empty file" 4 "empty file" "$A" show "$t/empty"
expect "foreign JSON" 4 "not an spx audit log" sh -c "echo '{\"a\":1}' | '$A' show -"
expect "binary junk" 4 "not an spx audit log" sh -c "head -c 2000 /dev/urandom | '$A' verify -"
expect "missing file" 4 "No such file" "$A" summary "$t/nope"
expect "unknown command" 2 "unknown command" "$A" frobnicate "$t/log"
expect "bad --head" 2 "64 lowercase hex" "$A" verify --head xyz "$t/log"
expect "bad --since" 2 "RFC 3339" "$A" show --since yesterday "$t/log"
finish
