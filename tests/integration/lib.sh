# Shared by the integration scripts: results, temporary directories and
# mounts that are always cleaned up, also when a test fails.
#
# Each script sources this, calls `check NAME COMMAND...` or `expect ...`
# per test, and ends with `finish`. SPX_BUILD names the build directory.

: "${SPX_BUILD:?SPX_BUILD must name a build directory}"
SPXFS=$SPX_BUILD/fs/spxfs
HELPERS=$SPX_BUILD/tests
TEST_USER=${SPX_TEST_USER:-spxtest}
PASSED=0
FAILED=0
MOUNTS=()
# new_tmp runs in a $(...) subshell, which cannot add to an array of
# ours: the directories it makes are listed in this file instead.
TMPLIST=$(mktemp /tmp/spx-tmplist.XXXXXX)

cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do
		if grep -q " $m fuse" /proc/self/mounts; then
			fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		fi
	done
	while read -r m; do
		# only what we made: our own mktemp directories, nothing mounted below
		if [ -n "$m" ] && ! grep -q " $m/" /proc/self/mounts; then
			rm -rf --one-file-system "$m"
		fi
	done <"$TMPLIST"
	rm -f "$TMPLIST"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
	local name=$1
	shift
	local out
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | head -20 | sed 's/^/    /'
	fi
}

# expect NAME STATUS PATTERN COMMAND...: passes when COMMAND exits with
# STATUS and its output matches the extended regex PATTERN.
expect() {
	local name=$1 status=$2 pattern=$3
	shift 3
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = "$status" ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		pass "$name"
	else
		fail "$name (exit $rc, wanted $status /$pattern/)"
		printf '%s\n' "$out" | head -10 | sed 's/^/    /'
	fi
}

# A fresh temporary directory, readable by the test user.
new_tmp() {
	local d
	d=$(mktemp -d /tmp/spx-test.XXXXXX)
	chmod 0755 "$d"
	echo "$d" >>"$TMPLIST"
	echo "$d"
}

is_mounted() { grep -q " $1 fuse" /proc/self/mounts; }

# mount_spxfs [--as USER] ROOT MNT [spxfs options...]: mounts and records
# the mount for cleanup. spxfs returns only once the mount is up.
mount_spxfs() {
	local as=""
	if [ "$1" = "--as" ]; then
		as=$2
		shift 2
	fi
	local root=$1 mnt=$2
	shift 2
	MOUNTS+=("$mnt")
	if [ -n "$as" ]; then
		runuser -u "$as" -- "$SPXFS" "$@" "$root" "$mnt"
	else
		"$SPXFS" "$@" "$root" "$mnt"
	fi
	is_mounted "$mnt"
}

unmount() {
	fusermount3 -u "$1" && ! is_mounted "$1"
}

# wait_until SECONDS CMD...: polls CMD (no fixed sleeps) every 10 ms until
# it succeeds, SECONDS * 100 times at most.
wait_until() {
	local i n=$(($1 * 100))
	shift
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.01
	done
	return 1
}

# wait_for CMD...: the same, for about 10 s.
wait_for() { wait_until 10 "$@"; }

# log_ended LOG: the last line of LOG is its end record (poll it with
# wait_for log_ended LOG: a $(...) in wait_for's arguments is read once).
log_ended() { test -n "$(tail -1 "$1" | jq -r 'select(.op=="end") | .op' 2>/dev/null)"; }

as_user() { runuser -u "$TEST_USER" -- "$@"; }

# EXPECTED_CASES, set by each script: how many cases it runs. A script
# that ran another number (a case skipped without saying why, a loop cut
# short) fails. not_run REASON: a case this machine truly cannot run; it
# says so on one line and is expected no more.
not_run() {
	echo "NOT RUN: $*"
	EXPECTED_CASES=$((EXPECTED_CASES - 1))
}

finish() {
	local ran=$((PASSED + FAILED))
	if [ -z "${EXPECTED_CASES:-}" ]; then
		fail "$(basename "$0") does not say how many cases it runs"
	elif [ "$ran" != "$EXPECTED_CASES" ]; then
		fail "ran $ran cases, $EXPECTED_CASES expected"
	fi
	echo "$(basename "$0"): $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# daemon_pid NAME ROOT: the pid of the process named NAME (spxfs,
# spxfs-unmount) serving ROOT.
daemon_pid() {
	local p
	for p in $(pgrep -f -- " $2 "); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p" && return 0
	done
	return 1
}

# confined_daemon NAME ROOT CAPEFF: confined (below) the daemon process
# NAME serving ROOT. A daemonized spxfs returns once mounted and confines
# itself just after: poll with wait_for.
confined_daemon() {
	local pid
	pid=$(daemon_pid "$1" "$2") && confined "$pid" "$3" >/dev/null
}

# confined PID CAPEFF: the process has a seccomp filter, no_new_privs and
# exactly the effective and permitted capabilities CAPEFF (hex, 16 digits).
confined() {
	local s
	s=$(cat "/proc/$1/status") || return 1
	echo "$s" | grep -Eq '^Seccomp:[[:space:]]+2$' &&
		echo "$s" | grep -Eq '^NoNewPrivs:[[:space:]]+1$' &&
		echo "$s" | grep -Eq "^CapEff:[[:space:]]+$2\$" &&
		echo "$s" | grep -Eq "^CapPrm:[[:space:]]+$2\$" ||
		{ echo "$s" | grep -E '^(Seccomp|NoNewPrivs|Cap)'; return 1; }
}
