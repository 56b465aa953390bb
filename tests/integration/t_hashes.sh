#!/bin/bash
# The audit log's content hashes against the files themselves, for the
# programs people run: every reader of a whole file leaves the SHA-256 of
# what it read, every writer the SHA-256 of the file's final content,
# whatever order the kernel's requests arrive in. Under spxbox and under
# spxfs alone; each case compared with sha256sum of the file in ROOT.
set -u
. "$(dirname "$0")/lib.sh"
EXPECTED_CASES=199 # checked by finish (lib.sh)
BOX=$SPX_BUILD/sandbox/spxbox
CASES=$(cd "$(dirname "$0")" && pwd)/io_cases.py
SIZES=${SPX_HASH_SIZES:-0 1 4095 4096 131073 3000000 67108864}
READERS="cat cp dd sha256sum read-python read-mmap read-threads read-sendfile"
WRITERS="dd cp write-random write-mmap write-append2"
EXPECTED=0

t=$(new_tmp)
mkdir "$t/r" "$t/m" "$t/src" "$t/logs" && chmod 0777 "$t/r"
for s in $SIZES; do head -c "$s" /dev/urandom >"$t/src/$s"; done
cp "$CASES" "$t/r/io_cases.py"
chmod -R a+rX "$t/src" "$t/r"

reader_cmd() { # reader path
	case $1 in
	cat) echo "/usr/bin/cat $2" ;;
	cp) echo "/usr/bin/cp $2 /dev/null" ;;
	dd) echo "/usr/bin/dd if=$2 of=/dev/null bs=1M status=none" ;;
	sha256sum) echo "/usr/bin/sha256sum $2" ;;
	*) echo "/usr/bin/python3 /io_cases.py $1 $2" ;;
	esac
}

writer_cmd() { # writer path size src
	case $1 in
	dd) echo "/usr/bin/dd if=$4 of=$2 bs=1M status=none" ;;
	cp) echo "/usr/bin/cp $4 $2" ;;
	*) echo "/usr/bin/python3 /io_cases.py $1 $2 $3" ;;
	esac
}

# close_field LOG PATH FIELD: FIELD of the last close record of PATH that
# has it (of two processes appending nothing, only the creator's has a
# final hash).
close_field() {
	jq -r --arg p "$2" "select(.op==\"close\" and .path==\$p and .$3 != null) | .$3" "$1" | tail -1
}

# same_hash A B: both are hashes (not empty, not null) and equal.
same_hash() { [ ${#1} = 64 ] && [ "$1" = "$2" ]; }

# --- under spxbox: one job a case -------------------------------------------
for s in $SIZES; do
	cp "$t/src/$s" "$t/r/in$s" && chmod 0644 "$t/r/in$s"
	sum=$(sha256sum "$t/r/in$s" | cut -d' ' -f1)
	for rd in $READERS; do
		log=$t/logs/box-$rd-$s
		# shellcheck disable=SC2046
		"$BOX" --system --root "$t/r" --audit-log "$log" -- $(reader_cmd "$rd" "/in$s") >/dev/null 2>&1
		EXPECTED=$((EXPECTED + 1))
		check "spxbox: $rd of $s bytes: sha256_read is the file's" \
			same_hash "$(close_field "$log" "/in$s" sha256_read)" "$sum"
	done
	log=$t/logs/box-part-$s
	"$BOX" --system --root "$t/r" --audit-log "$log" -- /usr/bin/python3 /io_cases.py read-part "/in$s" >/dev/null 2>&1
	# the kernel reads whole pages and up to 128 KiB ahead: "half" is a
	# partial read only past that
	if [ "$s" -gt 131072 ]; then
		EXPECTED=$((EXPECTED + 1))
		check "spxbox: half of $s bytes read: no sha256_read, one range from 0 short of the end" \
			sh -c "[ \"\$(jq -c 'select(.op==\"close\" and .path==\"/in$s\") | [.sha256_read, (.read_ranges|length), .read_ranges[0][0], (.read_ranges[0][1] < $s)]' $log)\" = '[null,1,0,true]' ]"
	fi
	for wr in $WRITERS; do
		log=$t/logs/box-w-$wr-$s
		rm -f "$t/r/out"
		cp "$t/src/$s" "$t/r/src$s"
		# shellcheck disable=SC2046
		"$BOX" --system --allow-fork --root "$t/r" --audit-log "$log" -- $(writer_cmd "$wr" /out "$s" "/src$s") >/dev/null 2>&1
		EXPECTED=$((EXPECTED + 1))
		check "spxbox: $wr writing $s bytes: sha256_final is the file's" \
			same_hash "$(close_field "$log" /out sha256_final)" "$(sha256sum "$t/r/out" | cut -d' ' -f1)"
		rm -f "$t/r/src$s"
	done
	rm -f "$t/r/in$s" "$t/r/out"
done

# --- under spxfs alone: the same programs on the host, through the mount ----
mount_spxfs "$t/r" "$t/m" --audit-log="$t/logs/fs.log" || fail "mount"
ln -s "$t/m/io_cases.py" "$t/io_cases.py"
for s in $SIZES; do
	for rd in $READERS; do
		cp "$t/src/$s" "$t/r/$rd-$s"
		cmd=$(reader_cmd "$rd" "$t/m/$rd-$s")
		# shellcheck disable=SC2086
		${cmd/\/io_cases.py/$CASES} >/dev/null 2>&1
	done
	for wr in $WRITERS; do
		cmd=$(writer_cmd "$wr" "$t/m/w-$wr-$s" "$s" "$t/src/$s")
		# shellcheck disable=SC2086
		${cmd/\/io_cases.py/$CASES} >/dev/null 2>&1
	done
done
unmount "$t/m"
for s in $SIZES; do
	for rd in $READERS; do
		EXPECTED=$((EXPECTED + 1))
		check "spxfs: $rd of $s bytes: sha256_read is the file's" \
			same_hash "$(close_field "$t/logs/fs.log" "/$rd-$s" sha256_read)" "$(sha256sum "$t/r/$rd-$s" | cut -d' ' -f1)"
	done
	for wr in $WRITERS; do
		EXPECTED=$((EXPECTED + 1))
		check "spxfs: $wr writing $s bytes: sha256_final is the file's" \
			same_hash "$(close_field "$t/logs/fs.log" "/w-$wr-$s" sha256_final)" "$(sha256sum "$t/r/w-$wr-$s" | cut -d' ' -f1)"
	done
done
# --- the cases the issue named -----------------------------------------------
rm -f "$t/r"/w-* "$t/r"/*-[0-9]*
A=$SPX_BUILD/tools/spxaudit
"$BOX" --system --root "$t/r" --audit-log "$t/logs/named" -- /usr/bin/python3 -c '
import os
fd1 = os.open("/two", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644); os.write(fd1, b"A" * 10)
fd2 = os.open("/two", os.O_WRONLY); os.pwrite(fd2, b"B" * 10, 0); os.close(fd2); os.close(fd1)
fd = os.open("/trunc", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"x" * 100); os.truncate("/trunc", 50); os.close(fd)
with open("/moving", "wb") as f: f.write(b"y" * 300000)
r = os.open("/moving", os.O_RDONLY)
while os.read(r, 65536): pass
w = os.open("/moving", os.O_WRONLY); os.pwrite(w, b"z", 0); os.close(w); os.close(r)
with open("/whole", "wb") as f: f.write(b"w" * 200000)
with open("/whole", "rb") as f: f.read()' >/dev/null 2>&1
"$BOX" --system --root "$t/r" --audit-log "$t/logs/more" -- /usr/bin/python3 -c '
import os
fd = os.open("/punch", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"p" * 100000)
os.posix_fallocate(fd, 100000, 50000)
import ctypes; libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate(fd, 3, ctypes.c_long(4096), ctypes.c_long(8192))  # PUNCH_HOLE|KEEP_SIZE
os.close(fd)
src = os.open("/cfr-src", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644); os.write(src, b"s" * 70000)
dst = os.open("/cfr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644); os.write(dst, b"d" * 10)
os.copy_file_range(src, dst, 70000, 0, 10); os.close(src); os.close(dst)
fd = os.open("/moved", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644); os.write(fd, b"m" * 1000)
os.rename("/moved", "/moved2"); os.write(fd, b"n" * 1000); os.close(fd)' >/dev/null 2>&1
# final_is_content LOG NAME WHY: the last sha256_final of /NAME is its content.
final_is_content() {
	EXPECTED=$((EXPECTED + 1))
	check "sha256_final of /$2 is its content ($3)" \
		same_hash "$(close_field "$1" "/$2" sha256_final)" "$(sha256sum "$t/r/$2" | cut -d' ' -f1)"
}
final_is_content "$t/logs/more" punch "fallocate, hole punch"
final_is_content "$t/logs/more" cfr "copy_file_range into it"
EXPECTED=$((EXPECTED + 1))
check "a file renamed while open: its close has the final content's hash" \
	same_hash "$(jq -r 'select(.op=="close" and .written == 2000) | .sha256_final' "$t/logs/more")" \
	"$(sha256sum "$t/r/moved2" | cut -d' ' -f1)"
final_is_content "$t/logs/named" two "two descriptors"
final_is_content "$t/logs/named" trunc "a truncate by path"
EXPECTED=$((EXPECTED + 2))
check "a file read in full while another descriptor wrote it: no sha256_read" \
	test "$(jq -r 'select(.op=="close" and .path=="/moving" and .read > 0) | .sha256_read' "$t/logs/named")" = null
check "and the record says why" \
	test "$(jq -r 'select(.op=="close" and .path=="/moving" and .read > 0) | .sha256_read_unknown' "$t/logs/named")" = "the file changed while it was open"
EXPECTED=$((EXPECTED + 1))
expect "spxaudit reads: /whole read in full, with its hash" 0 "^F  /whole  $(sha256sum "$t/r/whole" | cut -d' ' -f1)\$" \
	"$A" reads "$t/logs/named"

# Hard links: a record names the link the job used; changes never loses an
# edit made through a second name that the job then removed.
mkdir -p "$t/r/conf" "$t/r/scratch" && chmod 0777 "$t/r/conf" "$t/r/scratch"
echo orig >"$t/r/conf/app.conf" && chmod 0666 "$t/r/conf/app.conf"
"$BOX" --system --root "$t/r" --audit-log "$t/logs/links" -- /usr/bin/python3 -c '
import os
os.link("/conf/app.conf", "/scratch/d")
with open("/conf/app.conf", "a") as f: f.write("edited\n")
with open("/scratch/d", "a") as f: f.write("and through d\n")
os.unlink("/scratch/d")' >/dev/null 2>&1
EXPECTED=$((EXPECTED + 3))
check "an open through the old name of a file just linked is recorded under that name" \
	test "$(jq -r 'select(.op=="open") | .path' "$t/logs/links" | tr '\n' ' ')" = "/conf/app.conf /scratch/d "
expect "changes: the edit through the removed second name shows on the first, with its hash" 0 \
	"^M  /conf/app.conf  $(sha256sum "$t/r/conf/app.conf" | cut -d' ' -f1)\$" "$A" changes "$t/logs/links"
check "changes: and nothing else" test "$("$A" changes "$t/logs/links" | wc -l)" = 1
# The kernel sends a release after the job's close, so a close record may
# follow the unlink of the name the file was opened by: the same log, so
# reordered (its chain no longer verifies; changes reads it all the same).
python3 - "$t/logs/links" "$t/logs/reordered" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ops = [json.loads(l)["op"] for l in lines]
unlink = ops.index("unlink")
last_close = len(ops) - 1 - ops[::-1].index("close")
lines.insert(last_close, lines.pop(unlink))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
EOF
EXPECTED=$((EXPECTED + 2))
expect "changes: a close recorded after its name's unlink lands on the file's other name" 0 \
	"^M  /conf/app.conf  $(sha256sum "$t/r/conf/app.conf" | cut -d' ' -f1)\$" "$A" changes "$t/logs/reordered"
check "changes: and nothing else (no removed name comes back)" test "$("$A" changes "$t/logs/reordered" | wc -l)" = 1

check "the suite ran the $EXPECTED cases it counted" test $((PASSED + FAILED)) = "$EXPECTED"

finish
