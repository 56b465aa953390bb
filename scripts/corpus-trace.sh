#!/bin/bash
# Runs the corpus (tests/integration/corpus.sh) natively under strace and
# prints, for every system call any of its programs made, the cases that
# made it: "call<TAB>case, case, ...", sorted by call. This is the
# evidence behind the default allowlist (docs/syscalls.md): run it after
# changing the corpus or the policy, and give every allowed call either a
# corpus program or a written reason.
#
#   scripts/corpus-trace.sh [-o FILE]
set -eu
[ "${1:-}" = -o ] && exec >"$2"
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/integration/corpus.sh"
command -v strace >/dev/null || { echo "corpus-trace: strace is not installed" >&2; exit 2; }
work=$(mktemp -d /tmp/spx-trace.XXXXXX)
trap 'rm -rf "$work"' EXIT
dir=$work/dir traces=$work/traces
mkdir "$dir" "$traces"
corpus_fixture "$dir"
n=0
trace() {
	local name=$1
	shift
	n=$((n + 1))
	{ (cd "$dir" && "${CORPUS_ENV[@]}" HOME="$dir" \
		strace -f -qq -o "$traces/$n" "$@" <"$dir/in.txt" >/dev/null 2>&1) || true; } 2>/dev/null
	# "PID name(" or "PID <... name resumed>": the call's name
	sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p; s/^[0-9]+ +<\.\.\. ([a-z0-9_]+) resumed>.*/\1/p' \
		"$traces/$n" | sort -u | sed "s|\$|\t$name|" >>"$work/pairs"
}
same() { trace "$@"; }
like() { local name=$1; shift 2; trace "$name" "$@"; }
corpus_cases
sort -t "$(printf '\t')" -k1,1 -s "$work/pairs" |
	awk -F '\t' '$1 != last { if (last != "") print last "\t" list; last = $1; list = $2; next }
		{ list = list ", " $2 } END { if (last != "") print last "\t" list }'
