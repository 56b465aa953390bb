#!/bin/bash
# spxbox-oci behind the real engines, offline: Podman (through conmon) and
# containerd's runc shim run a busybox image made here; and the runtime's
# own command line, its refusals, as root and as an unprivileged user.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=29 # checked by finish (lib.sh)
RT=$(cd "$SPX_BUILD/sandbox" && pwd)/spxbox-oci
A=$SPX_BUILD/tools/spxaudit
T=$(new_tmp)

# The image: busybox-static and the directories a container expects.
mkdir -p "$T/img/bin" "$T/img/etc" "$T/img/tmp" "$T/img/proc" "$T/img/dev" "$T/img/sys" "$T/img/run"
chmod 1777 "$T/img/tmp"
cp /bin/busybox "$T/img/bin/busybox"
for c in sh echo cat ls true sleep id tty; do ln -s busybox "$T/img/bin/$c"; done
tar -C "$T/img" -cf "$T/img.tar" .

# Podman's storage, run and temporary directories are ours, so its
# overlay mounts land under $T. The runtime keeps its state (and the
# default audit logs) in its default root: podman's --runtime-flag does
# not reach the delete that conmon's exit command makes, so another root
# would be left behind. The logs of our containers are removed at the end.
mkdir -p "$T/tmp"
OCI=/run/spxbox-oci
[ -d "$OCI" ] && OCI_WAS_THERE=1
P=(podman --root "$T/storage" --runroot "$T/run" --tmpdir "$T/tmp" --cgroup-manager cgroupfs
	--events-backend file)
PR=("${P[@]}" --runtime "$RT")
IDS=()
RUN=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
IMG=localhost/spx-test:1
oci_cleanup() {
	"${P[@]}" rm -af >/dev/null 2>&1
	"${P[@]}" system reset -f >/dev/null 2>&1
	if [ -n "${CTRD_PID:-}" ]; then kill "$CTRD_PID" 2>/dev/null; wait "$CTRD_PID" 2>/dev/null; fi
	# whatever the engines left mounted under our directory, deepest first
	grep -o " $T/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null; done
	local id
	for id in "${IDS[@]}"; do rm -f "$OCI/logs/$id.jsonl"; done
	[ -z "${OCI_WAS_THERE:-}" ] && rmdir "$OCI/logs" "$OCI" 2>/dev/null
}
"${P[@]}" import "$T/img.tar" "$IMG" >/dev/null 2>&1 || fail "podman import of the test image"
log_of() { echo "$OCI/logs/$1.jsonl"; }

check "--version names the runtime and the spec" sh -c "'$RT' --version | grep -q '^spxbox-oci version' && '$RT' --version | grep -q '^spec: 1.0'"

# podman run: output and exit status pass through; the file is in the
# container's audit log with its hash.
expect "podman run --rm: output and exit status pass through" 3 "^hello$" \
	"${PR[@]}" run --rm --cidfile "$T/run.cid" "${RUN[@]}" "$IMG" sh -c 'echo hello > /tmp/out.txt; cat /tmp/out.txt; exit 3'
id=$(cat "$T/run.cid" 2>/dev/null)
IDS+=("$id")
check "podman run: the container's audit log verifies" "$A" verify "$(log_of "$id")"
check "podman run: the file it wrote is in its log with its hash" test \
	"$(jq -r 'select(.op=="close" and .path=="/tmp/out.txt" and .written > 0) | .sha256_final' "$(log_of "$id")")" \
	= "$(printf 'hello\n' | sha256sum | cut -d' ' -f1)"
# --rm's delete comes from conmon's exit command, after run returns
check "podman run: no state is left after --rm" wait_for test ! -e "$OCI/$id"

# Podman's default network: a namespace of the engine's, joined; the
# /etc/hosts it binds has its mount point made in the container's root.
expect "podman run with its default network: the engine's /etc/hosts is there" 0 "localhost" \
	"${PR[@]}" run --rm --cidfile "$T/net.cid" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMG" cat /etc/hosts
IDS+=("$(cat "$T/net.cid" 2>/dev/null)")

# podman run -d, then podman stop: SIGTERM reaches the job, which ends;
# the log says so and verifies.
id=$("${PR[@]}" run -d "${RUN[@]}" "$IMG" sleep 100)
IDS+=("$id")
check "podman run -d: the container runs" \
	test "$("${PR[@]}" inspect "$id" --format '{{.State.Status}}')" = running
check "podman run -d: spxbox-oci state says running" sh -c "'$RT' state '$id' | jq -e '.status == \"running\"'"
"${PR[@]}" stop -t 20 "$id" >/dev/null 2>&1
check "podman stop: the container exited with 128+SIGTERM" \
	test "$("${PR[@]}" inspect "$id" --format '{{.State.Status}} {{.State.ExitCode}}')" = "exited 143"
check "podman stop: its log has the signal and the exit, and verifies" sh -c "
	jq -s -e 'map(select(.op==\"signal\"))[0].signal == 15' '$(log_of "$id")' >/dev/null &&
	jq -s -e 'map(select(.op==\"exit\"))[0].status == 143' '$(log_of "$id")' >/dev/null &&
	'$A' verify '$(log_of "$id")'"
check "podman stop: state has the log's chain head among its annotations" sh -c "
	'$RT' state '$id' | jq -e '.status == \"stopped\" and (.annotations[\"org.spx.audit-head\"] | length) == 64'"
"${PR[@]}" rm "$id" >/dev/null 2>&1

# podman rm -f of a running container: nothing is left.
# gone: no such process, or a zombie its new parent has yet to reap
ended() { ! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"; }
id=$("${PR[@]}" run -d "${RUN[@]}" "$IMG" sleep 100)
IDS+=("$id")
pid=$("$RT" state "$id" | jq .pid)
"${PR[@]}" rm -f "$id" >/dev/null 2>&1
check "podman rm -f: no state directory, no process left" sh -c "
	test ! -e '$OCI/$id' && test '$pid' -gt 0 && $(declare -f ended); ended '$pid'"

# a terminal: podman run -it through script(1)'s pty; the pty master goes
# to conmon over the console socket.
expect "podman run -it: through a pty, output and exit status pass through" 4 "in-tty" \
	timeout 60 script -qec "${PR[*]} run --rm -it --cidfile $T/tty.cid ${RUN[*]} $IMG sh -c 'echo in-tty; exit 4'" /dev/null
IDS+=("$(cat "$T/tty.cid" 2>/dev/null)")

# The seed's single process, one annotation away: the fork is refused and
# recorded. Control: the same container without it forks.
expect "org.spx.single-process=true: the shell cannot fork" 2 "can't fork" \
	"${PR[@]}" run --rm --cidfile "$T/single.cid" --annotation org.spx.single-process=true "${RUN[@]}" "$IMG" \
	sh -c 'echo parent; ls / >/dev/null; echo after'
id=$(cat "$T/single.cid" 2>/dev/null)
IDS+=("$id")
check "org.spx.single-process=true: the refused clone is in the log" \
	test -n "$(jq -c 'select(.op=="denied" and .syscall=="clone")' "$(log_of "$id")")"
expect "control: without the annotation the same shell forks" 0 "after" \
	"${PR[@]}" run --rm --cidfile "$T/fork.cid" "${RUN[@]}" "$IMG" sh -c 'echo parent; ls / >/dev/null; echo after'
IDS+=("$(cat "$T/fork.cid" 2>/dev/null)")

# containerd: its runc shim calls the runtime with --root, --log and
# --log-format json; the image is podman's, saved.
C=$T/ctrd
mkdir -p "$C"
printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n[grpc]\n  address = "%s/sock"\n' "$C" "$C" "$C" >"$C/config.toml"
containerd --config "$C/config.toml" >"$C/log" 2>&1 &
CTRD_PID=$!
wait_for test -S "$C/sock"
CTR=(ctr --address "$C/sock")
"${P[@]}" save -o "$T/saved.tar" "$IMG" >/dev/null 2>&1
"${CTR[@]}" images import "$T/saved.tar" >/dev/null 2>&1
expect "containerd: ctr run --runc-binary, output and exit status pass through" 5 "^from-ctr$" \
	timeout 60 "${CTR[@]}" run --rm --runc-binary "$RT" --runc-root "$T/ctr-oci" "$IMG" spxc1 \
	sh -c 'echo from-ctr; exit 5'
# the shim adds the namespace to --runc-root
check "containerd: the container's log verifies" "$A" verify "$T/ctr-oci/default/logs/spxc1.jsonl"

# The runtime's own command line on a bundle (runc spec's), and what it
# refuses, as runc does: one line, exit status 1.
mkdir -p "$T/b"
cp -a "$T/img" "$T/b/rootfs"
(cd "$T/b" && runc spec && jq '.process.terminal = false | .root.readonly = false |
	.process.args = ["sleep", "100"]' config.json >c && mv c config.json)
O=("$RT" --root "$T/oci2")
expect "create of a bundle whose config.json lacks process.args: the field is named" 1 "process.args" \
	sh -c "mkdir -p '$T/bad' && cp -a '$T/b/rootfs' '$T/bad/' && jq 'del(.process.args)' '$T/b/config.json' > '$T/bad/config.json' && cd '$T/bad' && ${O[*]} create bad1"
expect "create of a bundle that joins a pid namespace: the field is named" 1 "linux.namespaces\[0\].path" \
	sh -c "mkdir -p '$T/bad2' && cp -a '$T/b/rootfs' '$T/bad2/' && jq '.linux.namespaces[0] = {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}' '$T/b/config.json' > '$T/bad2/config.json' && cd '$T/bad2' && ${O[*]} create bad2"
expect "state of an unknown ID" 1 "container does not exist: nosuch" "${O[@]}" state nosuch
"${O[@]}" create --bundle "$T/b" --pid-file "$T/b.pid" c1 >/dev/null 2>&1
expect "create of an ID that exists" 1 "container with id exists: c1" "${O[@]}" create --bundle "$T/b" c1
check "create wrote the pid file, and the container waits, created" sh -c "
	test \"\$(cat '$T/b.pid')\" -gt 0 && ${O[*]} state c1 | jq -e '.status == \"created\"' >/dev/null"
"${O[@]}" start c1 >/dev/null 2>&1
expect "start of a running container" 1 "cannot start a container that is running" "${O[@]}" start c1
expect "delete of a running container without --force" 1 "not stopped: running" "${O[@]}" delete c1
pid=$(cat "$T/b.pid")
check "delete --force: no process, no state directory left" sh -c "
	${O[*]} delete --force c1 && $(declare -f ended); ended $pid && test ! -e '$T/oci2/c1'"

# Unprivileged: runc spec --rootless; the container's root is the user.
U=$(new_tmp)
mkdir -p "$U/b"
cp -a "$T/img" "$U/b/rootfs"
(cd "$U/b" && runc spec --rootless && jq '.process.terminal = false | .root.readonly = false |
	.process.args = ["sh", "-c", "echo unpriv > /tmp/u.txt; exit 7"]' config.json >c && mv c config.json)
chown -R "$TEST_USER" "$U"
as_user sh -c "cd '$U/b' && '$RT' --root '$U/oci' create u1 && '$RT' --root '$U/oci' start u1" >/dev/null 2>&1
check "unprivileged: the container ran and wrote its file as the user" \
	wait_for sh -c "test \"\$(stat -c %U '$U/b/rootfs/tmp/u.txt' 2>/dev/null)\" = '$TEST_USER'"
check "unprivileged: state turns stopped, and the log has the exit status" \
	wait_for sh -c "runuser -u '$TEST_USER' -- '$RT' --root '$U/oci' state u1 | jq -e '.status == \"stopped\"' >/dev/null &&
	jq -s -e 'map(select(.op==\"exit\"))[0].status == 7' '$U/oci/logs/u1.jsonl' >/dev/null"
check "unprivileged: delete leaves nothing but the log" sh -c "
	runuser -u '$TEST_USER' -- '$RT' --root '$U/oci' delete u1 && test \"\$(ls '$U/oci')\" = logs"

oci_cleanup
finish
