#!/bin/bash
# lint.sh BUILD_DIR: cppcheck and clang-tidy (.clang-tidy) on our code.
# Prints findings and "lint: N findings"; exits 1 when there are any.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
src=(fs/*.c audit/*.c sandbox/*.c tools/*.c)
n=0
out=$(cppcheck --quiet --enable=warning,style,portability,performance --std=c11 \
	-D_GNU_SOURCE -I fs -I audit -I sandbox -I tools -I "$build" -I /usr/include/fuse3 \
	--include=/usr/include/jansson.h --suppress=missingIncludeSystem \
	--template='{file}:{line}: {severity}: {message} [{id}]' "${src[@]}" 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	n=$((n + $(echo "$out" | grep -c ': ')))
fi
out=$(clang-tidy -p "$build" --quiet "${src[@]}" 2>/dev/null | grep -E 'warning:|error:')
if [ -n "$out" ]; then
	echo "$out"
	n=$((n + $(echo "$out" | wc -l)))
fi
echo "lint: $n findings"
[ "$n" -eq 0 ]
