#!/bin/bash
# spxaudit provenance: a job's log as in-toto link metadata, checked with
# in-toto's own tools (Debian's in-toto 1.3): in-toto-sign signs it,
# in-toto-verify accepts it against a layout whose step requires the job's
# materials and products, and rejects it once altered or against a layout
# it does not meet. The same command run natively under in-toto-run must
# record the same hashes for every file the link names. Also the SLSA
# statement, and the refusals: a tampered, incomplete or foreign log.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=19 # checked by finish (lib.sh)
BOX=$SPX_BUILD/sandbox/spxbox
A=$SPX_BUILD/tools/spxaudit
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3 # Debian's, which has in-toto's modules

d=$(new_tmp)
r=$d/root n=$d/native
mkdir -p "$r/bin" "$r/src" "$d/keys" "$d/links" "$d/bad"
cp /bin/busybox "$r/bin/busybox"
for a in sh cat tr mkdir rm mv; do ln -s busybox "$r/bin/$a"; done
echo alpha >"$r/src/a.txt"
echo beta >"$r/src/b.txt"
echo gamma >"$r/src/c.txt"
echo untouched >"$r/src/d.txt"
cp -a "$r" "$n" # the same tree, for in-toto-run
chown -R 65534:65534 "$r"
# relative paths: the job's working directory is its /, in-toto-run's is $n
job='cat src/a.txt src/b.txt src/c.txt > out.txt; mkdir obj; tr a-z A-Z < src/a.txt > obj/upper.txt
rm src/b.txt; mv src/c.txt src/c2.txt; echo done > log.txt; exit 4'
"$BOX" --allow-fork --allow-exec --root "$r" --audit-log "$d/job.log" -- /bin/sh -c "$job" >/dev/null 2>&1
check "the job's log verifies" "$A" verify "$d/job.log"
head=$("$A" verify "$d/job.log" | sed -n 's/.*head \([0-9a-f]*\).*/\1/p')

expect "provenance writes link metadata" 0 "" "$A" provenance --name build -o "$d/build.json" "$d/job.log"
jqr() { jq -r "$1" "$d/build.json"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
check "materials: the files it read in full, with what they held before" sh -c "
	test '$(jqr '.signed.materials["src/a.txt"].sha256')' = '$(sha "$n/src/a.txt")' &&
	test '$(jqr '.signed.materials["src/b.txt"].sha256')' = '$(sha "$n/src/b.txt")' &&
	test '$(jqr '.signed.materials["bin/busybox"].sha256')' = '$(sha "$n/bin/busybox")' &&
	test '$(jqr '.signed.materials | has("src/d.txt")')' = false"
check "products: what it wrote, with the hash of its final content" sh -c "
	test '$(jqr '.signed.products["out.txt"].sha256')' = '$(sha "$r/out.txt")' &&
	test '$(jqr '.signed.products["obj/upper.txt"].sha256')' = '$(sha "$r/obj/upper.txt")' &&
	test '$(jqr '.signed.products["log.txt"].sha256')' = '$(sha "$r/log.txt")'"
check "products: a file renamed unmodified keeps its hash; a deleted one is gone" sh -c "
	test '$(jqr '.signed.products["src/c2.txt"].sha256')' = '$(sha "$r/src/c2.txt")' &&
	test '$(jqr '.signed.products | has("src/b.txt")')' = false &&
	test '$(jqr '.signed.byproducts["spx-deleted"] | index("src/b.txt") != null')' = true"
check "byproducts: the exit status and the chain head; the command" sh -c "
	test '$(jqr '.signed.byproducts["return-value"]')' = 4 &&
	test '$(jqr '.signed.byproducts["spx-audit-chain-head"]')' = '$head' &&
	test '$(jqr '.signed.command[2]' | head -1)' = '$(printf '%s\n' "$job" | head -1)'"

# in-toto's own tools: keys, the signed link, an owner-signed layout.
(cd "$d/keys" && in-toto-keygen alice >/dev/null && in-toto-keygen owner >/dev/null)
check "in-toto-sign signs the link" sh -c "
	cd '$d/links' && in-toto-sign -f '$d/build.json' -k '$d/keys/alice' && ls build.*.link"
link=$(ls "$d"/links/build.*.link 2>/dev/null | head -1)
materials='[["DELETE", "src/b.txt"], ["ALLOW", "src/*"], ["ALLOW", "bin/*"], ["DISALLOW", "*"]]'
products='[["CREATE", "out.txt"], ["CREATE", "obj/upper.txt"], ["CREATE", "log.txt"],
	["CREATE", "src/c2.txt"], ["ALLOW", "src/a.txt"], ["ALLOW", "bin/busybox"], ["DISALLOW", "*"]]'
layout() { # OUT MATERIAL_RULES PRODUCT_RULES: an owner-signed layout
	"$PY" "$HERE/intoto_layout.py" "$1.unsigned" "$d/keys/alice.pub" build "$2" "$3" &&
		in-toto-sign -f "$1.unsigned" -k "$d/keys/owner" -o "$1"
}
layout "$d/root.layout" "$materials" "$products"
expect "in-toto-verify: the layout's step is met by the link" 0 "passed all verification" \
	sh -c "cd '$d' && in-toto-verify -v --layout root.layout --layout-keys keys/owner.pub --link-dir links 2>&1"
cp "$link" "$d/bad/"
sed -i "s/$(sha "$r/out.txt")/$(sha "$n/src/a.txt")/" "$d/bad/$(basename "$link")"
expect "control: in-toto-verify rejects the link once a product's hash is changed" 1 "" \
	sh -c "cd '$d' && in-toto-verify --layout root.layout --layout-keys keys/owner.pub --link-dir bad"
layout "$d/strict.layout" "$materials" '[["DISALLOW", "out.txt"], ["ALLOW", "*"]]'
expect "control: in-toto-verify rejects a layout that forbids what the job made" 1 "" \
	sh -c "cd '$d' && in-toto-verify --layout strict.layout --layout-keys keys/owner.pub --link-dir links"

# The same command natively under in-toto-run: every file the link names
# has the same hash in both.
(cd "$n" && in-toto-run -n native -k "$d/keys/alice" -d "$d" --materials . --products . \
	--exclude 'bin/*' -- sh -c "$job" >/dev/null 2>&1)
native=$(ls "$d"/native.*.link 2>/dev/null | head -1)
same() { # materials|products: 0 when every entry of ours but bin/ matches in-toto-run's
	jq -n --slurpfile a "$d/build.json" --slurpfile b "$native" --arg k "$1" '
		[$a[0].signed[$k] | to_entries[] | select(.key | startswith("bin/") | not)] as $ours
		| ($ours | length) > 0 and all($ours[]; $b[0].signed[$k][.key].sha256 == .value.sha256)' |
		grep -qx true
}
check "in-toto-run, natively: the same product hashes ($(jqr '.signed.products | length') files)" same products
check "in-toto-run, natively: the same material hashes" same materials
check "in-toto-run, natively: the same exit status" test "$(jq -r '.signed.byproducts["return-value"]' "$native")" = 4

expect "--statement: an in-toto Statement with a SLSA provenance predicate" 0 "" sh -c "
	'$A' provenance --statement '$d/job.log' | jq -e '._type == \"https://in-toto.io/Statement/v1\" and
		.predicateType == \"https://slsa.dev/provenance/v1\" and
		(.subject[] | select(.name == \"out.txt\") | .digest.sha256) == \"$(sha "$r/out.txt")\" and
		.predicate.runDetails.byproducts[0].annotations.exitStatus == 4'"

# No provenance from a log that cannot be trusted.
sed '6s/"uid":65534/"uid":0/' "$d/job.log" >"$d/tampered.log"
expect "a tampered log: one line, exit 1, nothing written" 1 "^spxaudit: .*tampered.log: .*not intact" \
	sh -c "'$A' provenance -o '$d/t.json' '$d/tampered.log'; rc=\$?; test ! -e '$d/t.json' || exit 9; exit \$rc"
head -n -2 "$d/job.log" >"$d/cut.log"
expect "an incomplete log: exit 3, unless --allow-incomplete" 3 "allow-incomplete" "$A" provenance "$d/cut.log"
expect "--allow-incomplete: the link says the log was incomplete" 0 "^incomplete$" sh -c "
	'$A' provenance --allow-incomplete '$d/cut.log' | jq -r '.signed.byproducts[\"spx-audit-log\"]'"
mkdir "$d/u" && cp "$d/job.log" "$d/u/job.log" && chown -R "$TEST_USER" "$d/u"
expect "unprivileged: a user makes the same link" 0 "" as_user sh -c "
	'$A' provenance --name build -o '$d/u/build.json' '$d/u/job.log' && cmp -s '$d/u/build.json' '$d/build.json'"
echo '{"op":"x"}' >"$d/junk"
expect "not a log: one line, exit 4" 4 "^spxaudit: .*junk: .*not an spx audit log" "$A" provenance "$d/junk"
finish
