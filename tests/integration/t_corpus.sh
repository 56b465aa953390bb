#!/bin/bash
# t_corpus: real programs under spxbox's default policy (--system; the
# FORK=1 cases with --allow-fork --allow-exec), each case compared with
# the same command run natively in a twin directory: its output and exit
# status, then the two trees (names, types, modes, owners, content). No
# case may be refused a system call (no "denied" record, no refusal line
# on stderr). Run as root on a directory root owns (the job runs as
# nobody and what it makes is root's), then as the test user on a
# directory of its own whose group is root.
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=155 # checked by finish (lib.sh)
. "$(dirname "$0")/corpus.sh"
BOX=$SPX_BUILD/sandbox/spxbox
CORPUS_CASES=72

run_corpus() { # label user
	local label=$1 who=$2
	local top native boxed logs n=0
	top=$(new_tmp)
	native=$top/native boxed=$top/boxed logs=$top/logs
	mkdir "$native" "$boxed" "$logs"
	corpus_fixture "$native"
	corpus_fixture "$boxed"
	local as=()
	if [ "$who" != root ]; then
		chown -R "$who:$who" "$native" "$boxed" "$logs"
		chgrp root "$native" "$boxed"
		chmod 0775 "$native" "$boxed"
		as=(runuser -u "$who" --)
	fi
	both() { # name: runs "$@" natively and boxed into nout/nrc, bout/brc
		local fork=()
		[ "${FORK:-}" = 1 ] && fork=(--allow-fork --allow-exec)
		n=$((n + 1))
		nrc=0 brc=0
		nout=$(cd "$native" && "${as[@]}" "${CORPUS_ENV[@]}" HOME="$native" "$@" <"$native/in.txt" 2>"$logs/$n.native.err") || nrc=$?
		bout=$("${as[@]}" "${CORPUS_ENV[@]}" HOME=/ "$BOX" --system "${fork[@]}" --root "$boxed" --chdir / \
			--audit-log "$logs/$n.jsonl" -- "$@" <"$boxed/in.txt" 2>"$logs/$n.err") || brc=$?
	}
	refused() { grep -q '"op":"denied"' "$logs/$n.jsonl" || grep -q '^spxbox: refused' "$logs/$n.err"; }
	report() { # name ok
		if [ "$2" = 1 ] && ! refused; then
			pass "$label: $1"
		else
			fail "$label: $1 (exit $brc, native $nrc)"
			diff <(printf '%s\n' "$nout") <(printf '%s\n' "$bout") | head -8 | sed 's/^/    /'
			head -5 "$logs/$n.err" | sed 's/^/    stderr: /'
			grep -h '"op":"denied"' "$logs/$n.jsonl" | head -3 | sed 's/^/    /'
		fi
	}
	same() {
		local name=$1
		shift
		both "$@"
		report "$name" "$([ "$nrc" = "$brc" ] && [ "$nout" = "$bout" ] && echo 1)"
	}
	like() {
		local name=$1 glob=$2
		shift 2
		both "$@"
		# shellcheck disable=SC2053 # a glob on purpose
		report "$name" "$([ "$brc" = 0 ] && [[ $bout == $glob ]] && echo 1)"
	}
	corpus_cases
	if [ "$n" = "$CORPUS_CASES" ]; then pass "$label: ran all $n cases"; else fail "$label: ran $n cases of $CORPUS_CASES"; fi
	# git's objects hold the commit's time: its work tree is compared
	tree() { (cd "$1" && find . -path ./repo/.git -prune -o -printf '%p %y %m %u %g\n' | sort); }
	check "$label: the trees have the same names, types, modes and owners" \
		diff <(tree "$native") <(tree "$boxed")
	check "$label: the trees have the same content" \
		diff -r --no-dereference --exclude=.git --exclude=fifo "$native" "$boxed"
	check "$label: the job made its files as DIR's owner" \
		test "$(stat -c %U "$boxed/sorted.txt")" = "$who"
}

run_corpus root root
run_corpus unprivileged "$TEST_USER"

# The policy follows from the corpus: the corpus, natively under strace.
trace=$(new_tmp)/trace.tsv
check "the corpus runs natively under strace" bash "$(dirname "$0")/../../scripts/corpus-trace.sh" -o "$trace"
allowed() { "$BOX" --list-syscalls | awk -F'|' -v e="$1" '$5 ~ e { gsub(/[` ]/, "", $2); print $2 }' | sort; }
made=$(cut -f1 "$trace" | sort)
claimed_unmade=$(comm -23 <(allowed corpus) <(echo "$made"))
check "every allowed call that names the corpus as its evidence is made by a corpus program" \
	test -z "$claimed_unmade"
[ -n "$claimed_unmade" ] && echo "    not made: $claimed_unmade"
# exec, vfork and clone3 are the supervisor's and --allow-fork's to answer
unallowed=$(comm -13 <(allowed '.') <(echo "$made") | grep -vxE 'execve|vfork|clone3')
check "every call a corpus program makes natively is allowed" test -z "$unallowed"
[ -n "$unallowed" ] && echo "    not allowed: $unallowed"
finish
