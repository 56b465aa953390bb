#!/bin/bash
# spxbox end to end: real namespaces, a real in-namespace FUSE mount and
# real seccomp, as root and as an unprivileged user.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=90 # checked by finish (lib.sh)
BOX=$SPX_BUILD/sandbox/spxbox
A=$SPX_BUILD/tools/spxaudit
PROBE_DIR=$(cd "$HELPERS" && pwd)
staging_before=$(ls -d /tmp/spxbox.* /dev/shm/spxbox.* 2>/dev/null | sort)

# new_root OWNER: a DIR for a job, owned by OWNER (the job must be able to
# write its root), with escape attempts prepared inside it.
new_root() {
	local d
	d=$(new_tmp)
	mkdir "$d/root" "$d/root/bindmount" "$d/root/sub" "$d/secret"
	# a secret the job's uid could read if a path led there
	echo "HOST SECRET" >"$d/secret/secret"
	chmod 0755 "$d/secret" && chmod 0644 "$d/secret/secret"
	ln -s "$d/secret/secret" "$d/root/escape-abs"
	ln -s "../../../../../..$d/secret/secret" "$d/root/escape-rel"
	chown -R "$1:$1" "$d/root"
	echo "$d"
}

for who in root "$TEST_USER"; do
	owner=$([ "$who" = root ] && echo 65534 || echo "$TEST_USER")
	owner_name=$([ "$who" = root ] && echo nobody || echo "$TEST_USER")
	run=()
	[ "$who" = root ] || run=(runuser -u "$TEST_USER" --)
	d=$(new_root "$owner")
	L=$d/logs
	mkdir "$L"
	chown "$who" "$L"
	mount --bind "$d/secret" "$d/root/bindmount"
	find "$d/root" -printf '%P %y\n' | sort >"$d/before"
	# a host process of the job's own uid: outside its PID namespace the
	# job could signal it
	runuser -u "$owner_name" -- sleep 300 &
	same_uid=$!
	wait_for pgrep -u "$owner_name" -x sleep >/dev/null
	same_uid=$(pgrep -n -u "$owner_name" -x sleep)
	expect "$who: the probe's denied classes fail, popular paths work, no escape" 0 \
		"probe: [0-9]+ passed, 0 failed" \
		bash -c '"$@" >"$0" 2>&1; rc=$?; cat "$0"; exit $rc' "$d/probe.out" \
		"${run[@]}" "$BOX" --system --ro-bind "$PROBE_DIR" /t --root "$d/root" \
		--setenv ASAN_OPTIONS detect_leaks=0 \
		--audit-log "$L/probe.log" -- /t/box_probe "$same_uid" "$d/secret/secret"
	kill "$same_uid" 2>/dev/null
	# each refusal the probe saw was the supervisor's: one record per
	# refused call (the kernel's own errors leave none); clone3 and the
	# other ABIs are answered by the filter itself, unrecorded
	refusals=$(grep -E '^ok denied .*\((EPERM|ENOSYS)\)$' "$d/probe.out" | grep -vcE 'clone3|ABI')
	records=$(jq -r 'select(.op=="denied" or (.op=="exec" and .result=="EPERM")) | .op' "$L/probe.log" | wc -l)
	check "$who: each of the probe's $refusals refused calls is a record ($records)" \
		test "$records" = "$refusals" -a "$refusals" -gt 30
	# negative control: with the filter letting three of those calls
	# through, the same probe must report each (allowed, or failing with
	# the kernel's own errno instead of the filter's)
	printf 'personality: 1\nsetns: 1\nsocket: 1\n' >"$d/allow.policy"
	expect "$who: control: the probe reports calls a policy lets through" 1 \
		"FAIL personality change was allowed.*|FAIL setns failed with EINVAL" \
		"${run[@]}" "$BOX" --system --ro-bind "$PROBE_DIR" /t --root "$d/root" \
		--seccomp-policy "$d/allow.policy" --setenv ASAN_OPTIONS detect_leaks=0 -- /t/box_probe
	# control: with the secret's directory bound at its host path, the
	# symlinks and the host path lead to it, and the probe says so
	mkdir -p "$d/root$d/secret"
	expect "$who: control: the probe reports an escape that works" 1 \
		"FAIL read host file via absolute symlink" \
		"${run[@]}" "$BOX" --system --ro-bind "$PROBE_DIR" /t --ro-bind "$d/secret" "$d/secret" \
		--root "$d/root" --setenv ASAN_OPTIONS detect_leaks=0 -- /t/box_probe "$$" "$d/secret/secret"
	rm -r "$d/root/tmp"
	check "$who: control: all three are reported" test "$("${run[@]}" "$BOX" --system \
		--ro-bind "$PROBE_DIR" /t --root "$d/root" --seccomp-policy "$d/allow.policy" \
		--setenv ASAN_OPTIONS detect_leaks=0 -- /t/box_probe 2>/dev/null |
		grep -cE '^FAIL (personality change|setns|socket AF_INET |socket AF_INET6|socket AF_NETLINK)')" -ge 3
	find "$d/root" -printf '%P %y\n' | sort >"$d/after"
	umount "$d/root/bindmount"
	check "$who: DIR holds nothing but what the job left (no mount points)" diff "$d/before" "$d/after"
	check "$who: denials are in the log" test -n "$(jq -c 'select(.op=="denied" and .syscall=="mount")' "$L/probe.log")"
	check "$who: a second exec is in the log, refused" \
		test -n "$(jq -c 'select(.op=="exec" and .path=="/bin/true" and .result=="EPERM")' "$L/probe.log")"
	check "$who: fork is in the log, refused" test -n "$(jq -c 'select(.op=="denied" and .syscall=="fork")' "$L/probe.log")"
	check "$who: setuid and setgroups to others' ids are the filter's refusals, in the log" \
		test "$(jq -r 'select(.op=="denied" and .result=="EPERM") | .syscall' "$L/probe.log" |
			grep -cxE 'setuid|setgroups')" = 2
	expect "$who: the job's log verifies" 0 intact "$A" verify "$L/probe.log"

	expect "$who: python writes /x" 0 "" "${run[@]}" "$BOX" --system --root "$d/root" \
		--audit-log "$L/py.log" -- /usr/bin/python3 -c 'open("/x","w").write("hi")'
	check "$who: /x holds what the job wrote" test "$(cat "$d/root/x")" = hi
	check "$who: the log has the write with its hash" \
		test "$(jq -r 'select(.op=="close" and .path=="/x") | .sha256_final' "$L/py.log")" = \
		"$(printf hi | sha256sum | cut -d' ' -f1)"
	check "$who: the job ran as $owner" \
		test "$(jq -r 'select(.op=="close" and .path=="/x") | .uid' "$L/py.log")" = "$(id -u "$owner")"
	expect "$who: sh -c 'ls; ls' cannot fork" 2 "Cannot fork" "${run[@]}" "$BOX" --system \
		--root "$d/root" --audit-log "$L/sh.log" -- /bin/sh -c 'ls; ls'
	check "$who: the fork attempt is in the log" \
		test -n "$(jq -c 'select(.op=="denied" and (.syscall=="vfork" or .syscall=="clone" or .syscall=="fork"))' "$L/sh.log")"
	expect "$who: --allow-fork lets it fork" 0 "child 0" "${run[@]}" "$BOX" --system --allow-fork \
		--root "$d/root" -- /usr/bin/python3 -c '
import os
pid = os.fork()
if pid == 0:
    os._exit(0)
print("child", os.waitpid(pid, 0)[1])'
	expect "$who: --allow-fork alone does not allow exec" 126 "not permitted" "${run[@]}" "$BOX" \
		--system --allow-fork --root "$d/root" -- /bin/sh -c 'ls; ls'
	expect "$who: --allow-fork --allow-exec runs a shell pipeline" 0 "^piped 3$" "${run[@]}" "$BOX" \
		--system --allow-fork --allow-exec --root "$d/root" -- /bin/sh -c 'printf "a\nb\nc\n" | wc -l | sed "s/^/piped /"'
	expect "$who: --allow-exec lets it exec" 0 "" "${run[@]}" "$BOX" --system --allow-exec \
		--root "$d/root" --audit-log "$L/exec.log" -- /usr/bin/env true
	check "$who: --allow-exec records the exec with the binary's hash" \
		test "$(jq -r 'select(.op=="exec" and .path=="/usr/bin/true") | .sha256' "$L/exec.log")" = \
		"$(sha256sum </usr/bin/true | cut -d' ' -f1)"
done

d=$(new_root 65534)
expect "exit status: the job's" 3 "" "$BOX" --system --root "$d/root" -- /bin/sh -c 'exit 3'
expect "exit status: not found" 127 "" "$BOX" --system --root "$d/root" -- /nonexistent
printf '#!/bin/sh\n' >"$d/root/notexec"
expect "exit status: not executable" 126 "" "$BOX" --system --root "$d/root" -- /notexec
expect "exit status: killed by signal 9" 137 "" "$BOX" --system --root "$d/root" -- \
	/usr/bin/python3 -c 'import os; os.kill(os.getpid(), 9)'
expect "exit status: time limit" 124 "" "$BOX" --system --time-limit 1 --root "$d/root" \
	--audit-log "$d/time.log" -- /usr/bin/python3 -c 'while True: pass'
check "time limit is in the log" test -n "$(jq -c 'select(.op=="limit" and .limit=="time")' "$d/time.log")"
expect "--max-file-size" 1 "File too large" "$BOX" --system --max-file-size 1K --root "$d/root" -- \
	/usr/bin/python3 -c 'f = open("/big", "w"); f.write("x" * 4096); f.close()'
# AddressSanitizer reserves terabytes of address space: --memory cannot
# be tried on a sanitizer build of spxbox.
[ -z "${SPX_SANITIZE:-}" ] || not_run "--memory: AddressSanitizer reserves the address space --memory limits"
[ -n "${SPX_SANITIZE:-}" ] || expect "--memory" 1 "MemoryError" "$BOX" --system --memory 64M --root "$d/root" -- \
	/usr/bin/python3 -c 'x = bytearray(200 << 20)'
expect "--max-bytes: a write quota" 1 "Disk quota exceeded" "$BOX" --system --max-bytes 2K \
	--root "$d/root" -- /usr/bin/python3 -c 'f = open("/q", "w"); f.write("x" * 8192); f.close()'
expect "--setenv, --unsetenv, --chdir" 0 "bar /sub None" "$BOX" --system --setenv FOO bar \
	--unsetenv HOME --chdir /sub --root "$d/root" -- \
	/usr/bin/python3 -c 'import os; print(os.environ.get("FOO"), os.getcwd(), os.environ.get("HOME"))'
expect "the job keeps the caller's open-file limit" 0 "^512$" bash -c "ulimit -S -n 512; '$BOX' --system \
	--root '$d/root' -- /usr/bin/python3 -c 'import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])'"
expect "--tmpfs: writes there stay out of DIR" 0 "" "$BOX" --system --tmpfs /scratch \
	--root "$d/root" -- /usr/bin/python3 -c 'open("/scratch/t","w").write("t")'
check "--tmpfs: nothing of it in DIR" test ! -e "$d/root/scratch"
expect "a flood of denied calls is rate-limited" 0 "" "$BOX" --system --root "$d/root" \
	--audit-log "$d/flood.log" -- /usr/bin/python3 -c '
import ctypes
libc = ctypes.CDLL(None)
for i in range(20000):
    libc.syscall(165, 0, 0, 0, 0, 0)   # mount
'
check "flood: at most 20 records for the call, the rest counted" \
	test "$(jq -c 'select(.op=="denied" and .syscall=="mount")' "$d/flood.log" | wc -l)" -le 20 -a \
	"$(jq -r 'select(.op=="denials_unrecorded") | .count' "$d/flood.log")" -ge 19980

# --seccomp-policy: minijail's syntax, for the calls it names.
printf 'getpriority: 1\nsetpriority: return EACCES\nsocket: arg0 == AF_UNIX; return EAFNOSUPPORT\n' >"$d/ok.policy"
expect "--seccomp-policy: a call it allows works" 0 "prio 0" "$BOX" --system --seccomp-policy "$d/ok.policy" \
	--root "$d/root" -- /usr/bin/python3 -c 'import os; print("prio", os.getpriority(os.PRIO_PROCESS, 0))'
expect "--seccomp-policy: its errno for a refused call" 0 "errno 13 97" "$BOX" --system \
	--seccomp-policy "$d/ok.policy" --root "$d/root" --audit-log "$d/policy.log" -- /usr/bin/python3 -c '
import os, socket
out = []
for f in (lambda: os.setpriority(os.PRIO_PROCESS, 0, 1), lambda: socket.socket(socket.AF_INET6)):
    try: f()
    except OSError as e: out.append(str(e.errno))
print("errno", " ".join(out))'
check "--seccomp-policy: the refusals are recorded with their errno" \
	test -n "$(jq -c 'select(.op=="denied" and .syscall=="setpriority" and .result=="EACCES")' "$d/policy.log")"
printf 'read: 1\nwrite: arg0 === 1\n' >"$d/bad.policy"
expect "--seccomp-policy: a malformed policy names its line" 125 "bad.policy: line 2: expected a number" \
	"$BOX" --seccomp-policy "$d/bad.policy" --root "$d/root" -- /bin/true
expect "--seccomp-policy: an unknown call names its line" 125 "line 1: unknown system call 'nosuch'" \
	sh -c "printf 'nosuch: 1\n' > '$d/bad2.policy'; '$BOX' --seccomp-policy '$d/bad2.policy' --root '$d/root' -- /bin/true"

# --fs: a running spxfs mount as the job's root; it records the files.
f=$(new_tmp)
mkdir -p "$f/r/proc" "$f/r/dev" "$f/r/etc" "$f/m"
for dir in usr bin sbin lib lib32 lib64 libx32; do [ -e "/$dir" ] && mkdir "$f/r/$dir"; done
chown 65534 "$f/r"
mount_spxfs "$f/r" "$f/m" -o allow_other --audit-log="$f/fs.log" || fail "--fs: mounting spxfs"
expect "--fs: the job runs on a running spxfs mount" 0 "" "$BOX" --system --fs "$f/m" \
	--audit-log "$f/box.log" -- /usr/bin/python3 -c 'open("/x","w").write("via fs")'
check "--fs: the file reached the served directory" test "$(cat "$f/r/x")" = "via fs"
# spxfs covered by another mount is not what the path leads to.
if mount -t tmpfs -o size=1m spx-cover "$f/m"; then
	expect "--fs: refuses a path where spxfs is covered by another mount" 125 \
		"not an spxfs mount" "$BOX" --fs "$f/m" -- /bin/true
	umount "$f/m" || fail "--fs: unmount the cover"
else
	fail "--fs: mounting a tmpfs over spxfs"
fi
unmount "$f/m" || fail "--fs: unmount"
wait_for grep -q '"op":"end"' "$f/fs.log"
check "--fs: the serving spxfs recorded the write" \
	test -n "$(jq -c 'select(.op=="close" and .path=="/x" and .sha256_final!=null)' "$f/fs.log")"
expect "--fs: refuses what is not an spxfs mount" 125 "not an spxfs mount" "$BOX" --fs /tmp -- /bin/true
expect "--fs and --root together" 125 "exclude each other" "$BOX" --fs /tmp --root "$d/root" -- /bin/true

# Bad input: one line, status 125.
expect "missing --root" 125 "^spxbox: --root DIR is required" "$BOX" -- /bin/true
expect "ROOT does not exist" 125 "^spxbox: --root: ROOT '.*': No such file" "$BOX" --root "$d/nope" -- /bin/true
expect "unknown option" 125 "^spxbox: unknown option" "$BOX" --frob --root "$d/root" -- /bin/true
expect "no command" 125 "no COMMAND" "$BOX" --root "$d/root" --
expect "audit log inside ROOT" 125 "inside ROOT" "$BOX" --audit-log "$d/root/log" --root "$d/root" -- /bin/true
expect "unprivileged --uid" 125 "only root" runuser -u "$TEST_USER" -- "$BOX" --uid 0 --root "$d/root" -- /bin/true
expect "bad --time-limit" 125 "time-limit" "$BOX" --time-limit -1 --root "$d/root" -- /bin/true
check "no staging directories left behind" test "$(ls -d /tmp/spxbox.* /dev/shm/spxbox.* 2>/dev/null | sort)" = "$staging_before"
"$BOX" --system --root "$d/root" --audit-log "$d/live.log" -- /usr/bin/python3 -c '
import time
open("/started", "w").close()
time.sleep(2)' &
job=$!
wait_for test -e "$d/root/started"
check "while a job runs, its mounts are not in the host's mount table" \
	test "$(grep -cE ' /(tmp|dev/shm)/spxbox\.' /proc/self/mounts)" = 0
# The supervisor confines itself once the job runs (sandbox/main.c): as
# root it keeps the file-serving capabilities (0xdf) alone; its
# cleaner keeps none. The job's own work above ran under this.
check "while a job runs, the supervisor is confined (seccomp, no_new_privs, CapEff 0xdf)" \
	confined "$job" 00000000000000df
check "while a job runs, the staging cleaner is confined (CapEff 0)" \
	confined "$(pgrep -P "$job" -x spxbox-cleaner)" 0000000000000000
wait $job
# kill -9 of spxbox itself: the job's namespace dies with it (pid 1 has
# a parent-death signal) and the cleaner removes the staging directory.
"$BOX" --system --root "$d/root" -- /usr/bin/python3 -c '
import time
open("/started9", "w").close()
time.sleep(60)  # spx-kill9-marker' &
job9=$!
wait_for test -e "$d/root/started9"
kill -9 "$job9"
wait "$job9" 2>/dev/null
check "kill -9 of spxbox: the job is gone too" wait_for sh -c "! pgrep -f spx-kill9-marke[r] >/dev/null"
check "kill -9 of spxbox: no staging directory left" \
	wait_for sh -c "test \"\$(ls -d /tmp/spxbox.* /dev/shm/spxbox.* 2>/dev/null | sort)\" = '$staging_before'"
u=$(new_root "$TEST_USER")
runuser -u "$TEST_USER" -- "$BOX" --system --root "$u/root" -- /usr/bin/python3 -c '
import time
open("/started", "w").close()
time.sleep(2)' &
ujob=$!
wait_for test -e "$u/root/started"
check "unprivileged: the supervisor is confined (seccomp, no_new_privs, no capability)" \
	confined "$(pgrep -P "$ujob" -x spxbox || pgrep -u "$TEST_USER" -x spxbox | head -1)" 0000000000000000
wait $ujob
# --cpu: a one-process job and its file server share one CPU (cpu_pin.h);
# the job sees that one CPU, and its log says which.
c=$(new_root 65534)
host_cpus=$(nproc)
check "--cpu: a one-process job runs on one CPU, named in its start record" sh -c "
	out=\$('$BOX' --system --root '$c/root' --audit-log '$c/pin.log' -- /usr/bin/nproc) &&
	test \"\$out\" = 1 &&
	test \"\$(jq -r 'select(.op==\"start\") | .cpu | numbers' '$c/pin.log')\" -ge 0"
if [ "$host_cpus" -gt 1 ]; then
	check "--cpu any (control): the same job sees every CPU of the caller" \
		test "$("$BOX" --cpu any --system --root "$c/root" -- /usr/bin/nproc)" = "$host_cpus"
	check "--cpu: with --allow-fork the job is not pinned, and its log names no CPU" sh -c "
		out=\$('$BOX' --allow-fork --system --root '$c/root' --audit-log '$c/fork.log' -- /usr/bin/nproc) &&
		test \"\$out\" = $host_cpus &&
		test \"\$(jq -r 'select(.op==\"start\") | has(\"cpu\")' '$c/fork.log')\" = false"
else
	not_run "--cpu any: this machine has one CPU, so pinning changes nothing to see"
	not_run "--cpu with --allow-fork: this machine has one CPU"
fi
expect "--cpu: a value other than same or any is refused" 125 "--cpu wants same or any" \
	"$BOX" --cpu 0 --root "$c/root" -- /bin/true
check "docs/syscalls.md matches the policy" \
	diff <("$BOX" --list-syscalls) <(sed -n '/^| call | why | arguments | evidence |$/,/^[0-9]* calls\.$/p' "$(dirname "$0")/../../docs/syscalls.md")
check "docs/syscalls.md matches the daemons' own policy" \
	diff <("$SPXFS" --list-syscalls) <(sed -n '/^| call | why | arguments | who |$/,/^[0-9]* calls\.$/p' "$(dirname "$0")/../../docs/syscalls.md")
finish
