#!/bin/bash
# Model-based stress: random_ops runs the same seeded sequence of colliding
# operations on a native directory and through spxfs (with a tiny
# descriptor cache, so re-resolution is exercised too); every outcome and
# the final trees must match. SPX_STRESS_SEEDS / SPX_STRESS_OPS size it.
set -u
. "$(dirname "$0")/lib.sh"
SEEDS=${SPX_STRESS_SEEDS:-30}
OPS=${SPX_STRESS_OPS:-400}

t=$(new_tmp)
mkdir "$t/mnt"
total=0 mismatched=0
for seed in $(seq 1 "$SEEDS"); do
	rm -rf "$t/native" "$t/root"
	mkdir "$t/native" "$t/root"
	MOUNTS+=("$t/mnt")
	prlimit --nofile=64:64 "$SPXFS" --cache-timeout=0 "$t/root" "$t/mnt" || { fail "mount (seed $seed)"; continue; }
	"$HELPERS/random_ops" "$t/native" "$seed" "$OPS" >"$t/native.out"
	"$HELPERS/random_ops" "$t/mnt" "$seed" "$OPS" >"$t/spxfs.out"
	unmount "$t/mnt" || fail "unmount (seed $seed)"
	total=$((total + OPS))
	tree() { (cd "$1" && find . -printf '%p %y %m %s %l\n' | sort && find . -type f -exec sha256sum {} + | sort -k2); }
	if ! diff -q "$t/native.out" "$t/spxfs.out" >/dev/null || [ "$(tree "$t/native")" != "$(tree "$t/root")" ]; then
		mismatched=$((mismatched + 1))
		fail "seed $seed: spxfs differs from native"
		diff "$t/native.out" "$t/spxfs.out" | head -10 | sed 's/^/    /'
	fi
done
echo "stress: $total operations over $SEEDS seeds, $mismatched seeds mismatched"
[ "$mismatched" = 0 ] && pass "random operations: every outcome and the final tree match native ($total ops)"
finish
