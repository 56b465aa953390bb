#!/bin/bash
# Model-based stress: random_ops runs the same seeded sequence of colliding
# operations on a native directory and through spxfs (limited to 32
# descriptors, so inodes are re-resolved and held files' descriptors are
# closed and reopened underneath); every outcome and the final trees must
# match. SPX_STRESS_SEEDS / SPX_STRESS_OPS size it.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=4 # checked by finish (lib.sh)
SEEDS=${SPX_STRESS_SEEDS:-30}
OPS=${SPX_STRESS_OPS:-400}

t=$(new_tmp)
mkdir "$t/mnt"
total=0 mismatched=0
for seed in $(seq 1 "$SEEDS"); do
	rm -rf "$t/native" "$t/root"
	mkdir "$t/native" "$t/root"
	MOUNTS+=("$t/mnt")
	prlimit --nofile=32:32 "$SPXFS" --cache-timeout=0 "$t/root" "$t/mnt" || { fail "mount (seed $seed)"; continue; }
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

# stress-ng's filesystem stressors through the mount, bounded.
s=$(new_tmp)
mkdir "$s/root" "$s/mnt"
mount_spxfs "$s/root" "$s/mnt" || fail "mount for stress-ng"
expect "stress-ng filesystem stressors through spxfs" 0 "successful run completed" \
	sh -c "cd '$s/mnt' && timeout 300 stress-ng --temp-path '$s/mnt' --hdd 1 --hdd-bytes 8M \
		--dir 1 --rename 1 --link 1 --symlink 1 --dentry 1 --chmod 1 --fallocate 1 \
		--fallocate-bytes 8M --verify --timeout ${SPX_STRESSNG_SECONDS:-15}s --metrics-brief 2>&1"
check "the mount still serves after stress-ng" sh -c "echo ok > '$s/mnt/after' && test \"\$(cat '$s/mnt/after')\" = ok"
check "stress-ng left nothing but our file in ROOT" test "$(ls -A "$s/root")" = after
unmount "$s/mnt" || fail "unmount after stress-ng"
finish
