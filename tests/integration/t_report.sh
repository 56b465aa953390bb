#!/bin/bash
# spxaudit report: the page a person opens after a job, loaded in a real
# browser. Headless Chromium renders it; the DOM it builds must hold the
# log's facts (the verdict, the command, the exit status, each change with
# its hash, what was read, the refused calls, the programs run), a name the
# job chose must stay text, and a tampered or incomplete log must say so at
# the top. Input that is not a log gets one line and no page; a full disk
# leaves no half page.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=28 # checked by finish (lib.sh)
BOX=$SPX_BUILD/sandbox/spxbox
A=$SPX_BUILD/tools/spxaudit

d=$(new_tmp)
r=$d/root
mkdir -p "$r/bin" "$r/data" "$r/many" "$d/profile"
cp /bin/busybox "$r/bin/busybox"
for a in sh cat ls echo mv rm mount; do ln -s busybox "$r/bin/$a"; done
echo input >"$r/data/in.txt"
echo old >"$r/data/old.txt"
echo moved >"$r/data/before.txt"
chown -R 65534:65534 "$r"
evil='<img id=evil src=x>'
# mount is refused by the filter (a denied record); the job exits 3
"$BOX" --allow-fork --allow-exec --root "$r" --audit-log "$d/job.log" -- /bin/sh -c "
	cat /data/in.txt > /data/copy.txt; echo new > /data/new.txt
	mv /data/before.txt /data/after.txt; rm /data/old.txt; echo x > '/$evil'; ls / >/dev/null
	mount -t tmpfs x /data; exit 3" >/dev/null 2>&1
check "the job's log verifies" "$A" verify "$d/job.log"

# chromium URL: renders the page headless; --dump-dom prints the DOM it built
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$d/profile" "$@" 2>/dev/null
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
expect "report writes the page and exits 0 for an intact log" 0 "" \
	"$A" report -o "$d/report.html" "$d/job.log"
check "the page is self-contained: no script, style or image fetched" sh -c "
	test -s '$d/report.html' && ! grep -Eq '<(script|link|img|iframe|object)[^>]* (src|href)=' '$d/report.html' &&
	grep -q \"default-src 'none'\" '$d/report.html'"
check "headless Chromium takes a screenshot of it" sh -c "
	cd '$d' && timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir='$d/profile' --window-size=1200,1600 --screenshot='$d/report.png' \
		'file://$d/report.html' >/dev/null 2>&1; head -c 8 '$d/report.png' | od -An -c | grep -q 'P   N   G'"
chrome --dump-dom "file://$d/report.html" >"$d/dom.html"
dom_has() { grep -qF -- "$1" "$d/dom.html"; }
check "DOM: the verdict says intact, with the chain head" sh -c "
	grep -q 'data-verdict=\"intact\"' '$d/dom.html' && grep -q 'Log intact' '$d/dom.html' &&
	grep -q \"id=\\\"head\\\">$("$A" verify "$d/job.log" | sed -n 's/.*head \([0-9a-f]*\).*/\1/p')<\" '$d/dom.html'"
check "DOM: the command" dom_has 'cat /data/in.txt &gt; /data/copy.txt'
status=$(jq -r 'select(.op=="exit") | .status' "$d/job.log")
check "DOM: the exit status the log records ($status)" dom_has "id=\"exit-status\">$status<"
check "DOM: the added file with its final hash" sh -c "
	grep -F 'data-path=\"/data/copy.txt\" data-change=\"A\"' '$d/dom.html' | grep -qF '$(sha "$r/data/copy.txt")'"
check "DOM: the rename, from its old name" sh -c "
	grep -F 'data-path=\"/data/after.txt\" data-change=\"R\"' '$d/dom.html' | grep -qF 'from /data/before.txt'"
check "DOM: the deleted file" dom_has 'data-path="/data/old.txt" data-change="D"'
check "DOM: what it read, with the hash of what it read" sh -c "
	grep -F '<tr data-path=\"/data/in.txt\">' '$d/dom.html' | grep -qF '$(sha "$r/data/in.txt")'"
denied=$(jq -r 'select(.op=="denied") | .syscall' "$d/job.log" | head -1)
check "DOM: the refused call ($denied)" sh -c "test -n '$denied' && grep -qF 'data-syscall=\"$denied\"' '$d/dom.html'"
execs=$(jq -r 'select(.op=="exec") | .path' "$d/job.log" | sort -u | wc -l)
check "DOM: each of the $execs programs run, and the hash of the file run" sh -c "
	test \$(grep -o 'data-exec=\"' '$d/dom.html' | wc -l) -eq $execs && grep -qF 'data-exec=\"/bin/sh\"' '$d/dom.html' &&
	grep -F 'data-exec-file=\"/bin/busybox\"' '$d/dom.html' | grep -qF '$(sha "$r/bin/busybox")'"
check "DOM: the timeline's two charts have bars" sh -c "
	grep -q 'id=\"timeline-ops\"' '$d/dom.html' && grep -q 'id=\"timeline-bytes\"' '$d/dom.html' &&
	test \$(grep -o '<rect class=\"ops\"' '$d/dom.html' | wc -l) -ge 2"
check "DOM: the page's own script ran under its policy" dom_has 'data-script="ran"'
check "DOM: the job's file name is text, not an element" sh -c "
	grep -qF '&lt;img id=evil src=x&gt;' '$d/dom.html' && ! grep -q 'id=\"evil\"' '$d/dom.html'"
# Control: the same name written raw becomes an element in Chromium's DOM,
# so the check above can fail.
printf '<html><body><ul><li>%s</li></ul></body></html>\n' "$evil" >"$d/raw.html"
check "control: a raw name would be an element" sh -c "
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir='$d/profile' --dump-dom 'file://$d/raw.html' 2>/dev/null | grep -q 'id=\"evil\"'"

# A tampered log: one record's byte count changed. An incomplete one: cut
# before its end. Each still gets a page, whose top says so.
sed '5s/"uid":65534/"uid":0/' "$d/job.log" >"$d/tampered.log"
check "control: the edit changed the log" sh -c "! cmp -s '$d/job.log' '$d/tampered.log'"
expect "a tampered log: exit 1, the page is still written" 1 "" "$A" report -o "$d/t.html" "$d/tampered.log"
check "DOM: a tampered log says TAMPERED at the top" sh -c "
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='$d/profile' \
		--dump-dom 'file://$d/t.html' 2>/dev/null | grep -A3 'data-verdict=\"tampered\"' | grep -q 'TAMPERED'"
head -n -3 "$d/job.log" >"$d/cut.log"
expect "an incomplete log: exit 3, the page says INCOMPLETE" 3 "" sh -c "
	'$A' report -o '$d/c.html' '$d/cut.log' && exit 9; rc=\$?
	grep -A2 'data-verdict=\"incomplete\"' '$d/c.html' | grep -q INCOMPLETE || exit 8; exit \$rc"
cp "$d/report.html" "$d/keep.html"
echo "not a log" >"$d/junk"
expect "not a log: one line, exit 4" 4 "^spxaudit: .*junk: .*not an spx audit log" \
	"$A" report -o "$d/keep.html" "$d/junk"
check "not a log: the page already there is untouched" cmp -s "$d/report.html" "$d/keep.html"
expect "the log on standard input" 0 "" sh -c "'$A' report -o '$d/stdin.html' - <'$d/job.log' && grep -q 'data-verdict=\"intact\"' '$d/stdin.html'"
cp "$d/job.log" "$d/user.log"
chown "$TEST_USER" "$d/user.log"
mkdir "$d/u" && chown "$TEST_USER" "$d/u"
expect "unprivileged: a user makes the page" 0 "" as_user sh -c "'$A' report -o '$d/u/r.html' '$d/user.log' && grep -q 'data-verdict=\"intact\"' '$d/u/r.html'"

# A full disk: a 64 KiB tmpfs cannot hold the page; the error says so and
# leaves nothing behind.
mkdir "$d/full"
mount -t tmpfs -o size=64k tmpfs "$d/full"
"$BOX" --root "$r" --audit-log "$d/many.log" -- /bin/sh -c '
	i=0; while [ $i -lt 5000 ]; do echo $i > /many/f$i; i=$((i + 1)); done' >/dev/null 2>&1
expect "a full disk: exit 5, one line" 5 "^spxaudit: .*/full/r.html: No space left on device; nothing written$" \
	"$A" report -o "$d/full/r.html" "$d/many.log"
check "a full disk: no partial file left" sh -c "test -z \"\$(ls -A '$d/full')\""
umount "$d/full"

# 10,000 records: the page lists a bounded number of rows and says how
# many more there are.
records=$(wc -l <"$d/many.log")
t0=$(date +%s%N)
"$A" report -o "$d/many.html" "$d/many.log"
t1=$(date +%s%N)
echo "report of $records records: $(((t1 - t0) / 1000000)) ms, $(stat -c %s "$d/many.html") bytes"
check "a $records-record log: rows capped, the rest counted" sh -c "
	test $records -ge 10000 &&
	test \$(grep -c 'class=\"file\"' '$d/many.html') -le 200 && grep -q '4,800 more entries here' '$d/many.html'"
finish
