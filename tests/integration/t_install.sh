#!/bin/bash
# meson install: the programs, man pages, completions and docs where a
# Debian user looks for them; the man pages and --help never disagree; the
# installed programs run a job, as root and as a user.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=14 # checked by finish (lib.sh)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
I=$(new_tmp)
check "meson install --destdir succeeds" meson install -C "$SPX_BUILD" --no-rebuild --destdir "$I" --quiet
P=$(find "$I" -path '*/bin/spxbox' -printf '%h\n' | head -1)
PREFIX=$(dirname "${P:-/nonexistent/bin}")
check "the four programs are in bin/" sh -c "cd '$P' && test -x spxfs && test -x spxbox && test -x spxbox-oci && test -x spxaudit"
check "five man pages are in share/man" sh -c "cd '$PREFIX/share/man' && test -s man1/spxfs.1 && test -s man1/spxbox.1 && test -s man1/spxbox-oci.1 && test -s man1/spxaudit.1 && test -s man5/spx-audit-log.5"
check "bash completion for each program, and the docs" sh -c "cd '$PREFIX/share' && for p in spxfs spxbox spxbox-oci spxaudit; do test -s bash-completion/completions/\$p || exit 1; done && test -s doc/spx/audit-format.md && test -s doc/spx/design.md"

# --help and the man page list the same long options: every option --help
# names is in the page's OPTIONS (and COMMANDS) sections, and every option
# those sections name is in --help.
help_opts() { "$P/$1" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u; }
man_opts() {
	awk '/^# (OPTIONS|COMMANDS)/ {on=1; next} /^# / {on=0} on' "$SRC/docs/man/$1.1.scd" |
		grep -oE -- '--[a-z][a-z-]*' | sort -u
}
for p in spxfs spxbox spxbox-oci spxaudit; do
	check "$p: --help and its man page name the same options" diff <(help_opts "$p") <(man_opts "$p")
done
# Control: the comparison fails on a page that lost an option.
check "control: a page without --audit-log is caught" bash -c "
	! diff <('$P/spxfs' --help | grep -oE -- '--[a-z][a-z-]*' | sort -u) \
	     <(grep -v -- '--audit-log' '$SRC/docs/man/spxfs.1.scd' | awk '/^# OPTIONS/ {on=1; next} /^# / {on=0} on' | grep -oE -- '--[a-z][a-z-]*' | sort -u) >/dev/null"

# The installed programs, not the build tree's, run a job; --version says
# the project's version.
version=$(sed -n "s/^  version : '\([^']*\)',\$/\1/p" "$SRC/meson.build")
check "each installed program's --version says $version" sh -c "
	for p in spxfs spxbox spxbox-oci spxaudit; do '$P/'\$p --version | grep -q -- '$version' || exit 1; done"
d=$(new_tmp)
mkdir "$d/root"
chown 65534 "$d/root"
expect "the installed spxbox runs a job and logs it" 0 "intact" sh -c "
	'$P/spxbox' --system --root '$d/root' --audit-log '$d/a.log' -- /bin/sh -c 'echo x > /out' 2>/dev/null &&
	'$P/spxaudit' verify '$d/a.log'"
u=$(new_tmp)
mkdir "$u/root"
chown "$TEST_USER" "$u/root"
chmod -R a+rX "$I"
expect "unprivileged: the installed spxbox runs a job" 0 "^ran$" \
	as_user "$P/spxbox" --system --root "$u/root" -- /bin/echo ran

# Completion from the installed file: options come from --help.
complete_words() { # program words...: what completing the last word offers
	bash -c "PATH='$P':\$PATH; source '$PREFIX/share/bash-completion/completions/$1'
		COMP_WORDS=($*); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _spx_complete $1; printf '%s\n' \"\${COMPREPLY[@]}\""
}
offers() { # WANT program words...
	local want=$1
	shift
	complete_words "$@" | grep -qx -- "$want"
}
check "completion: spxbox --audit-<TAB> offers --audit-log" offers --audit-log spxbox --audit-
check "completion: spxaudit v<TAB> offers verify" offers verify spxaudit v
finish
