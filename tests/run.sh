#!/bin/bash
# Builds spx and runs every test suite, twice: on the normal build and on
# an AddressSanitizer + UndefinedBehaviorSanitizer build. Runs as root: the
# integration tests mount FUSE filesystems, make bind mounts, and create an
# unprivileged user (spxtest) to run the unprivileged cases.
#
# The last line is "N passed, N failed" over every suite; the exit status
# is non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
top=$PWD

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/run.sh: run as root (the tests mount filesystems and add a test user)" >&2
	exit 2
fi
scripts/install-deps.sh || { echo "tests/run.sh: cannot install packages"; exit 2; }

# The unprivileged side: a user, a usable /dev/fuse (Debian makes it 0666;
# some machines have 0600), and allow_other for non-root mounts.
id spxtest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin spxtest
chmod 0666 /dev/fuse
grep -q '^user_allow_other' /etc/fuse.conf 2>/dev/null || echo user_allow_other >>/etc/fuse.conf

total_pass=0
total_fail=0
record() { # suite passed failed
	echo "== $1: $2 passed, $3 failed"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

build() { # dir meson-options...
	local dir=$1
	shift
	# A build directory left from an earlier run keeps its old options
	# unless it is set up again with these.
	local again=()
	[ -f "$dir/build.ninja" ] && again=(--reconfigure)
	meson setup "${again[@]}" "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	ninja -C "$dir" >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; return 1; }
}

# How many unit checks there are (tests/unit): a suite that lost one fails.
UNIT_CASES=28

run_unit() { # variant build-dir
	local out
	out=$("$2/tests/unit-tests" 2>&1)
	echo "$out" | grep -v '^Running suite' | grep -v '^ ' || true
	local line checks failures errors
	line=$(echo "$out" | grep -E 'Checks: [0-9]+' | tail -1)
	checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	failures=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	errors=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	if [ -z "$line" ]; then
		record "$1 unit" 0 1
	elif [ "$checks" != "$UNIT_CASES" ]; then
		echo "unit: ran $checks checks, $UNIT_CASES expected"
		record "$1 unit" $((checks - failures - errors)) $((failures + errors + 1))
	else
		record "$1 unit" $((checks - failures - errors)) $((failures + errors))
	fi
}

run_script() { # variant build-dir(absolute) script
	local out rc=0
	out=$(SPX_BUILD="$2" timeout 900 bash "$3" 2>&1) || rc=$?
	echo "$out"
	local line p f
	line=$(echo "$out" | grep -E '^[a-z_]+\.sh: [0-9]+ passed, [0-9]+ failed$' | tail -1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	[ -z "$line" ] && p=0 f=1
	# A script that died (or timed out) without saying so counts as failed.
	[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
	record "$1 $(basename "$3" .sh)" "$p" "$f"
}

# Sanitizer reports from daemons (whose stderr is gone once daemonized)
# land in files; any such file fails the suite.
check_reports() { # variant dir
	local n
	n=$(find "$2" -type f 2>/dev/null | wc -l)
	if [ "$n" -gt 0 ]; then
		echo "sanitizer reports:"
		find "$2" -type f -exec head -30 {} \;
		record "$1 sanitizer reports" 0 "$n"
	else
		record "$1 sanitizer reports" 1 0
	fi
}

# The unprivileged cases run the built programs as spxtest. A checkout
# that user cannot reach (under /root, or in a 0700 mktemp directory) gets
# its build directory copied to a directory that user can read, for the
# integration scripts only.
for_test_user() { # build-dir: prints the absolute path to run from
	if runuser -u spxtest -- test -x "$top/$1/fs/spxfs" 2>/dev/null; then
		echo "$top/$1"
		return
	fi
	local d
	d=$(mktemp -d /tmp/spx-build.XXXXXX)
	chmod 0755 "$d"
	cp -a "$top/$1" "$d/"
	chmod -R a+rX "$d"
	echo "$d/$1"
}

variant() { # name build-dir meson-options...
	local name=$1 dir=$2
	shift 2
	echo "=== $name build ($dir)"
	if ! build "$dir" "$@"; then
		record "$name build" 0 1
		return
	fi
	run_unit "$name" "$dir"
	local run_dir
	run_dir=$(for_test_user "$dir")
	for s in tests/integration/t_*.sh; do
		run_script "$name" "$run_dir" "$s"
	done
	[ "$run_dir" = "$top/$dir" ] || rm -rf "$(dirname "$run_dir")"
}

variant plain build-test -Dtests=enabled

# Static analysis of our code (cppcheck, clang-tidy with .clang-tidy).
echo "=== lint"
if scripts/lint.sh build-test; then record lint 1 0; else record lint 0 1; fi

reports=$(mktemp -d /tmp/spx-sanitizer.XXXXXX)
chmod 1777 "$reports"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
SPX_SANITIZE=1 SPX_SCALE_FILES=20000 SPX_HOLD_FILES=20000 SPX_CREATE_FILES=20000 variant sanitize build-sanitize -Dtests=enabled \
	-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
check_reports sanitize "$reports"
unset ASAN_OPTIONS UBSAN_OPTIONS
rm -rf "$reports"

# libFuzzer targets, each for a bounded time from the corpus in the repo
# (new inputs go to a scratch directory, not into the repo).
echo "=== fuzz build (build-fuzz, clang)"
if CC=clang build build-fuzz -Dtests=enabled -Dfuzz=true -Db_sanitize=address,undefined \
	-Db_lundef=false -Dbuildtype=debug; then
	# every target the sources define must have been built and run
	for src in tests/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		target=build-fuzz/tests/$name
		if [ ! -x "$target" ]; then
			echo "$name: not built"
			record "fuzz $name" 0 1
			continue
		fi
		corpus=tests/fuzz/corpus/${name#fuzz_}
		scratch=$(mktemp -d /tmp/spx-fuzz.XXXXXX)
		if "$target" -max_total_time="${SPX_FUZZ_SECONDS:-30}" -max_len=4096 \
			-artifact_prefix="$scratch/" \
			"$scratch" "$corpus" >"$scratch.log" 2>&1; then
			echo "$name: $(grep -E '^Done [0-9]+ runs' "$scratch.log")"
			record "fuzz $name" 1 0
		else
			tail -30 "$scratch.log"
			record "fuzz $name" 0 1
		fi
		rm -rf "$scratch" "$scratch.log"
	done
else
	record "fuzz build" 0 1
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
