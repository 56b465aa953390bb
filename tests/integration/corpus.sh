# The corpus: real programs from Debian packages, each doing real work on
# files in the job's directory. Sourced by t_corpus.sh (each case in
# spxbox, compared with the same case run natively) and by
# scripts/corpus-trace.sh (each case natively under strace: which system
# calls the default policy must allow, docs/syscalls.md).
#
# A case is a call to the runner the sourcing script defines:
#   same NAME CMD ARGS...   stdout and exit status as the native run's
#   like NAME GLOB CMD...   stdout matches the bash glob GLOB (output that
#                           names the host's paths or the caller's ids)
# Cases run in order in the directory ("/" in the job, the twin directory
# natively) and later ones use what earlier ones made; the trees are
# compared at the end. Commands name their programs by absolute path (the
# ones --system shows the job) and only relative paths of files.
# FORK=1 before a case: it runs with --allow-fork --allow-exec.
# CORPUS_PACKAGES: what scripts/install-deps.sh installs for it.

CORPUS_PACKAGES="coreutils util-linux tar gzip bzip2 xz-utils zstd grep sed gawk findutils diffutils
patch file jq sqlite3 openssl perl python3 busybox-static make gcc libc6-dev git strace"

# The environment every case runs in, natively and in spxbox alike (HOME
# is added per run): the programs named in the cases, and output that does
# not depend on the caller's locale or time zone.
CORPUS_ENV=(env -i PATH=/usr/bin:/bin LC_ALL=C TZ=UTC)

# corpus_fixture DIR: the files every case starts from.
corpus_fixture() {
	local d=$1
	mkdir -p "$d/src/sub"
	printf 'banana\napple\ncherry\napple\n' >"$d/in.txt"
	printf '3\n1\n2\n' >"$d/nums.txt"
	printf 'alpha\n' >"$d/src/a.txt"
	printf 'beta\n' >"$d/src/sub/b.txt"
	printf 'a,1\nb,2\nc,3\n' >"$d/csv.txt"
	printf 'a\nb\nc\n' >"$d/left.txt"
	printf 'b\nc\nd\n' >"$d/right.txt"
	printf '{"name":"spx","n":[1,2,3]}\n' >"$d/data.json"
	printf 'one\ntwo\nthree\n' >"$d/old.txt"
	printf 'one\n2\nthree\n' >"$d/new.txt"
	printf '#include <stdio.h>\nint main(void) { puts("built"); return 0; }\n' >"$d/hello.c"
	printf 'hello: hello.c\n\t/usr/bin/gcc -o hello hello.c\n' >"$d/Makefile"
	diff -u --label old.txt --label old.txt "$d/old.txt" "$d/new.txt" >"$d/change.patch" || true
	base64 "$d/in.txt" >"$d/in.b64"
	cat >"$d/work.py" <<'EOF'
import hashlib, json, os, shutil, sqlite3, tempfile, threading, zlib
data = json.load(open("data.json"))
db = sqlite3.connect("py.db")
db.execute("create table t (n integer)")
db.executemany("insert into t values (?)", [(n,) for n in data["n"]])
db.commit()
total = db.execute("select sum(n) from t").fetchone()[0]
db.close()
packed = zlib.compress(open("in.txt", "rb").read())
open("in.z", "wb").write(packed)
assert zlib.decompress(open("in.z", "rb").read()) == open("in.txt", "rb").read()
digests = []
def digest(name):
    digests.append(hashlib.sha256(open(name, "rb").read()).hexdigest()[:12])
threads = [threading.Thread(target=digest, args=(n,)) for n in ("in.txt", "nums.txt")]
for t in threads: t.start()
for t in threads: t.join()
with tempfile.TemporaryDirectory(dir=".") as tmp:
    open(os.path.join(tmp, "x"), "w").write("x")
    kept = os.listdir(tmp)
with tempfile.NamedTemporaryFile() as sys_tmp:
    sys_tmp.write(b"in /tmp")
shutil.copytree("src", "src_py")
os.setxattr("in.z", "user.spx", b"packed")
os.truncate("in.z", 8)
attrs = os.listxattr("in.z")
os.removexattr("in.z", "user.spx")
print(data["name"], total, sorted(digests), kept, sorted(os.listdir("src_py")), attrs,
      len(set(os.getresuid())), len(set(os.getresgid())))
EOF
	cat >"$d/events.py" <<'EOF'
import asyncio, os, select, signal, socket, time
got = []
signal.signal(signal.SIGUSR1, lambda *_: got.append("signal"))
os.kill(os.getpid(), signal.SIGUSR1)
async def main():
    a, b = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=a)
    b.sendall(b"ping\n")
    got.append((await reader.readline()).decode().strip())
    await asyncio.sleep(0.01)
    writer.close()
    b.close()
asyncio.run(main())
r, w = os.pipe()
os.writev(w, [b"vec", b"tor"])
p = select.poll()
p.register(r, select.POLLIN)
if p.poll(1000):
    buf = bytearray(6)
    os.readv(r, [buf])
    got.append(buf.decode())
time.sleep(0.01)
big = bytearray(1 << 20)
big.extend(bytearray(64 << 20))
got.append(len(big) >> 20)
print(got)
EOF
	# the same times in both twins (gzip and tar store them)
	find "$d" -exec touch -h -d '2024-01-02 03:04:05 UTC' {} +
	chmod -R u=rwX,go=rX "$d"
}

corpus_cases() {
	local x=/usr/bin
	# coreutils
	same cat $x/cat in.txt
	same "cp -r" $x/cp -r src copy
	same mv $x/mv copy moved
	same "ls -l" $x/ls -lgG --time-style=+ src
	same "ln -s" $x/ln -s a.txt src/link
	same readlink $x/readlink src/link
	same "mkdir -p" $x/mkdir -p deep/x/y
	same "rm -r" $x/rm -r deep
	same "touch -d" $x/touch -d '2020-01-02 03:04:05 UTC' stamp
	same chmod /bin/chmod 640 stamp
	same "chown to one's own ids" /bin/chown --reference=in.txt stamp
	same "ln (hard link)" /bin/ln in.txt hard.txt
	same mkfifo $x/mkfifo fifo
	same truncate $x/truncate -s 100 sized
	same fallocate $x/fallocate -l 8192 alloc
	same dd /bin/dd if=in.txt of=dd.txt conv=fsync status=none
	same sync /bin/sync dd.txt
	same sleep /bin/sleep 0.01
	like "id -G" '[0-9]*' $x/id -G
	same stat $x/stat -c '%s %F %a %Y' in.txt stamp
	same sort $x/sort -o sorted.txt in.txt
	same uniq $x/uniq -c sorted.txt
	same wc $x/wc -l in.txt nums.txt
	same head $x/head -n 2 in.txt
	same tail $x/tail -n 1 in.txt
	same cut $x/cut -d, -f2 csv.txt
	same tr $x/tr a-z A-Z
	same split $x/split -l 2 in.txt part_
	same tee $x/tee teed.txt
	same comm $x/comm left.txt right.txt
	same nl $x/nl in.txt
	same du $x/du -s --apparent-size --block-size=1 src/sub/b.txt
	like df 'Filesystem*1024-blocks*Mounted on*' $x/df -P .
	same sha256sum $x/sha256sum in.txt nums.txt
	same md5sum $x/md5sum in.txt
	same base64 $x/base64 in.txt
	same "base64 -d" $x/base64 -d in.b64
	# archives and compression
	same "tar create" /bin/tar -cf data.tar --owner=0 --group=0 --numeric-owner --mtime=@0 src in.txt
	same "tar list" /bin/tar -tf data.tar
	same "tar extract" /bin/tar -xf data.tar --no-same-owner -C moved
	same gzip /bin/gzip -k -n in.txt
	same "gzip -d" /bin/gzip -dc in.txt.gz
	same bzip2 /bin/bzip2 -k nums.txt
	same xz $x/xz -k csv.txt
	same "xz -d" $x/xz -dc csv.txt.xz
	same zstd $x/zstd -q -k left.txt
	same "zstd -d" $x/zstd -q -dc left.txt.zst
	# text tools
	same grep /bin/grep -n apple in.txt
	same "sed -i" /bin/sed -i s/banana/BANANA/ teed.txt
	same gawk $x/gawk -F, '{ s += $2 } END { print s }' csv.txt
	same find $x/find src moved -name '*.txt' -newer stamp -o -name b.txt -print
	same diff $x/diff -u old.txt new.txt
	same patch $x/patch -s -o patched.txt old.txt change.patch
	same file $x/file -b in.txt hello.c data.tar
	same jq $x/jq -c '{name, total: (.n | add)}' data.json
	same sqlite3 $x/sqlite3 app.db "create table t(a text); insert into t values ('x'),('y'); select group_concat(a) from t;"
	same "openssl dgst" $x/openssl dgst -sha256 in.txt
	same "openssl enc" $x/openssl enc -aes-256-cbc -pbkdf2 -nosalt -pass pass:spx -in in.txt -out in.enc
	same "openssl enc -d" $x/openssl enc -d -aes-256-cbc -pbkdf2 -nosalt -pass pass:spx -in in.enc
	same perl $x/perl -ne 'print scalar reverse' in.txt
	same "perl -i" $x/perl -pi -e 's/two/TWO/' new.txt
	same python3 $x/python3 work.py
	same "busybox sort" /bin/busybox sort -r in.txt
	same "busybox md5sum" /bin/busybox md5sum nums.txt
	same "busybox sed" /bin/busybox sed -n 2p in.txt
	same "python3 events" $x/python3 events.py
	same "python3 abort" $x/python3 -c 'import os; os.abort()'
	# with processes and execs
	FORK=1 same "sh -c pipeline" /bin/sh -c '/usr/bin/sort in.txt | /usr/bin/uniq -c | /usr/bin/sort -rn | /usr/bin/head -1'
	FORK=1 same "make + gcc" $x/make -s hello
	FORK=1 same "built program" ./hello
	FORK=1 same flock $x/flock lockfile /bin/true
	FORK=1 same "git init, add, commit" /bin/sh -c 'git init -q repo && cd repo && cp ../in.txt . &&
		git add in.txt && git -c user.name=spx -c user.email=spx@example.org commit -qm first &&
		git log --format=%s && git ls-files'
}
