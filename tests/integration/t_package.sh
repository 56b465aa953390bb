#!/bin/bash
# The Debian package: dpkg-buildpackage builds it from this tree, lintian
# finds no error or warning in it, it installs, its programs say the
# package's version, and the demo runs against the installed programs (not
# the build tree). It is removed again at the end. Runs once, on the plain
# build: the package is built from the sources, whatever SPX_BUILD is.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=7 # checked by finish (lib.sh)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${SPX_SANITIZE:-}" ]; then
	for i in $(seq "$EXPECTED_CASES"); do not_run "the package is built and checked once, on the plain build"; done
	finish
	exit
fi
if dpkg-query -W -f='${Status}' spx 2>/dev/null | grep -q "ok installed"; then
	for i in $(seq "$EXPECTED_CASES"); do not_run "a package named spx is installed already: not replaced by a test"; done
	finish
	exit
fi
B=$(new_tmp)
mkdir "$B/spx"
# the tree as it is, tracked files only (no build directories)
(cd "$SRC" && git ls-files -z | tar --null -T - -cf -) | tar -x -C "$B/spx"
check "dpkg-buildpackage -us -uc -b builds a .deb" \
	sh -c "cd '$B/spx' && dpkg-buildpackage -us -uc -b >'$B/build.log' 2>&1 && test -s '$B'/spx_*_*.deb || { tail -20 '$B/build.log'; exit 1; }"
deb=$(ls "$B"/spx_*_*.deb 2>/dev/null | head -1)
check "lintian: no error and no warning" sh -c "
	lintian --tag-display-limit 0 '$B'/spx_*.changes >'$B/lintian.log' 2>&1; rc=\$?
	cat '$B/lintian.log'; test \$rc -eq 0 && ! grep -q '^[EW]: ' '$B/lintian.log'"
check "dpkg -i installs it" dpkg -i "${deb:-/nonexistent}"
version=$(dpkg-query -W -f='${Version}' spx 2>/dev/null)
check "each installed program's --version says the package's version ($version)" sh -c "
	test -n '$version' && for p in spxfs spxbox spxbox-oci spxaudit; do /usr/bin/\$p --version | grep -q -- '$version' || exit 1; done"
check "man finds the installed pages" sh -c "man -w spxbox | grep -q /usr/share/man/man1/spxbox.1 && man -w 5 spx-audit-log >/dev/null"
expect "the demo runs against the installed programs" 0 "intact" env SPX_BIN=/usr/bin "$SRC/demo.sh"
check "dpkg -r removes it" sh -c "dpkg -r spx >/dev/null && test ! -e /usr/bin/spxbox"
finish
