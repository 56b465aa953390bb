#!/bin/bash
# Whom the job runs as and what it may change (issue 12): run by root, the
# job is DIR's owner (nobody owning root's files when root owns DIR), never
# host root, without capabilities; files of a third user keep their owner
# and permissions; identity calls to its own ids work, others are refused;
# a private /tmp; refused calls are named on stderr without a log.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=35 # checked by finish (lib.sh)
BOX=$SPX_BUILD/sandbox/spxbox
PY=/usr/bin/python3
THIRD=4242

# dir OWNER[:GROUP] MODE: a DIR for a job, with a third user's files in it
new_dir() {
	local d
	d=$(new_tmp)/w
	mkdir "$d"
	echo third >"$d/third-644" && chmod 0644 "$d/third-644"
	echo third >"$d/third-666" && chmod 0666 "$d/third-666"
	echo mine >"$d/own-600" && chmod 0600 "$d/own-600"
	chown "$THIRD:$THIRD" "$d/third-644" "$d/third-666"
	chown "$1" "$d" "$d/own-600"
	chmod "$2" "$d"
	echo "$d"
}

# What the job can do, one line per attempt (ok or the errno's name).
JOB='
import errno, os
def attempt(name, f):
    try:
        f(); print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
attempt("create", lambda: open("/new", "w").write("x"))
attempt("write own-600", lambda: open("/own-600", "a").write("x"))
attempt("remove own-600", lambda: os.unlink("/own-600"))
attempt("read third-644", lambda: open("/third-644").read())
attempt("write third-644", lambda: open("/third-644", "a").write("x"))
attempt("chmod third-644", lambda: os.chmod("/third-644", 0o666))
attempt("write third-666", lambda: open("/third-666", "a").write("x"))
attempt("mkdir", lambda: os.mkdir("/sub"))
status = open("/proc/self/status").read()
print("uid", [l.split()[1:] for l in status.splitlines() if l.startswith(("Uid:", "CapEff:"))])
'
expected_rw='create ok
write own-600 ok
remove own-600 ok
read third-644 ok
write third-644 EACCES
chmod third-644 EPERM
write third-666 ok
mkdir ok'

uid=$(id -u "$TEST_USER")
gid=$(id -g "$TEST_USER")

# owner_case LABEL OWNER MODE UID FILES [RUNNER...]: in a new DIR of OWNER
# (mode MODE) the job changes what DIR's owner may, runs as UID without a
# capability, makes files FILES (uid:gid) on the host, and leaves a third
# user's files their owner and mode. The DIR stays in $case_dir.
owner_case() {
	local label=$1 owner=$2 mode=$3 ids=$4 files=$5 out
	shift 5
	case_dir=$(new_dir "$owner" "$mode")
	out=$("$@" "$BOX" --system --root "$case_dir" -- $PY -c "$JOB" 2>&1)
	check "$label: the job changes what DIR's owner may" \
		test "$(echo "$out" | grep -v '^uid')" = "$expected_rw"
	check "$label: the job runs as $ids, no capability" \
		test "$(echo "$out" | grep '^uid')" = "uid [['$ids', '$ids', '$ids', '$ids'], ['0000000000000000']]"
	check "$label: what it made is $files on the host" \
		test "$(stat -c %u:%g "$case_dir/new" "$case_dir/sub" | sort -u)" = "$files"
	check "$label: the third user's files keep owner and mode" \
		test "$(stat -c '%u %a' "$case_dir/third-644" "$case_dir/third-666")" = "$THIRD 644
$THIRD 666"
}

# DIR of an ordinary user, group root (made with sudo, then chowned)
owner_case "root, DIR of $TEST_USER" "$TEST_USER:root" 0775 "$uid" "$uid:$gid"
# DIR of root: the job is nobody, root's files are its own, it makes root's
owner_case "root, DIR of root" root:root 0755 65534 0:0
# control: with --uid naming nobody outright there is no owner map, and
# root's DIR is not nobody's to write
d=$(new_dir root:root 0755)
check "root, DIR of root: control: --uid 65534 cannot create in it" \
	test "$("$BOX" --system --uid 65534 --root "$d" -- $PY -c "$JOB" 2>&1 | head -1)" = "create EACCES"

# --uid/--gid override
d=$(new_dir "$TEST_USER" 0777)
"$BOX" --system --uid 4243 --gid 4244 --root "$d" -- $PY -c 'open("/mine","w")'
check "root: --uid/--gid override DIR's owner" test "$(stat -c %u:%g "$d/mine")" = "4243:4244"

# unprivileged: DIR of the user with group root; a third user's files are
# writable exactly where their mode lets the user write
owner_case "unprivileged, DIR of the user with group root" "$TEST_USER:root" 0775 "$uid" "$uid:$gid" \
	runuser -u "$TEST_USER" --
d=$case_dir
# a colleague's file, group-writable for the user's group
echo g >"$d/third-g664" && chown "$THIRD:$gid" "$d/third-g664" && chmod 0664 "$d/third-g664"
expect "unprivileged: a file writable through the user's group is writable" 0 "^written$" \
	as_user "$BOX" --system --root "$d" -- $PY -c 'open("/third-g664", "a").write("x"); print("written")'
expect "root, DIR of $TEST_USER: the same through the owner's group" 0 "^written$" \
	"$BOX" --system --root "$d" -- $PY -c 'open("/third-g664", "a").write("x"); print("written")'
check "unprivileged: no mount is left at the staging directory" \
	sh -c "! grep -qE ' /(tmp|dev/shm)/spxbox\.' /proc/self/mountinfo"

# identity calls, and the line naming refusals (no --audit-log)
for who in root "$TEST_USER"; do
	run=()
	[ "$who" = root ] || run=(runuser -u "$TEST_USER" --)
	d=$(new_dir "$TEST_USER" 0755)
	expect "$who: setresuid/setresgid/setgroups to its own ids work" 0 '^own ids ok$' \
		"${run[@]}" "$BOX" --system --root "$d" -- $PY -c '
import os
os.setresuid(-1, os.getuid(), -1); os.setresgid(os.getgid(), -1, -1)
os.setuid(os.getuid()); os.setgroups(os.getgroups()); print("own ids ok")'
	expect "$who: setuid to root is refused, and spxbox names the refusals" 1 \
		'^spxbox: refused 2 system calls: (setuid \(1\), setgroups \(1\)|setgroups \(1\), setuid \(1\))$' \
		"${run[@]}" "$BOX" --system --root "$d" -- $PY -c '
import os
try: os.setgroups([0])
except PermissionError: pass
os.setuid(0)'
	out=$("${run[@]}" "$BOX" --quiet --system --root "$d" -- $PY -c 'import os; os.setuid(0)' 2>&1)
	check "$who: --quiet keeps the refusal line away" test -n "$out" -a -z "$(echo "$out" | grep '^spxbox: refused')"
	out=$("${run[@]}" "$BOX" --system --root "$d" -- $PY -c 'print("fine")' 2>&1)
	check "$who: nothing refused, no line" test "$out" = fine
	# /tmp: private, writable, sticky, gone with the job, not in DIR
	expect "$who: the job has a private /tmp (1777 tmpfs)" 0 '^tmpfs 1777 written$' \
		"${run[@]}" "$BOX" --system --root "$d" -- $PY -c '
import os
fs = [l.split()[2] for l in open("/proc/self/mounts") if l.split()[1] == "/tmp"]
open("/tmp/x", "w").write("x")
print(fs[-1], oct(os.stat("/tmp").st_mode & 0o7777)[2:], "written")'
	check "$who: /tmp left nothing in DIR" test ! -e "$d/tmp"
	l=$(new_tmp)
	chown "$TEST_USER" "$l"
	"${run[@]}" "$BOX" --system --root "$d" --audit-log "$l/tmp.log" -- /bin/true 2>/dev/null
	check "$who: the start record says the job's /tmp was a private tmpfs" \
		test "$(jq -r 'select(.op=="start") | .tmp' "$l/tmp.log")" = tmpfs
	expect "$who: --tmp root: the job's /tmp is DIR's own" 0 '^recorded$' \
		"${run[@]}" "$BOX" --system --tmp root --root "$d" -- $PY -c '
import os
os.mkdir("/tmp"); open("/tmp/x", "w").write("x"); print("recorded")'
	check "$who: --tmp root: the file is in DIR" test -f "$d/tmp/x"
done
finish
