"""io_cases.py CASE PATH [SIZE]: one way a program reads or writes a file,
for t_hashes.sh to compare spxfs's audit record with the file itself.

Readers read PATH in full (read-part: its first half only); writers write
SIZE bytes of a fixed pattern into PATH (created or truncated)."""
import mmap
import os
import random
import sys
import threading

case, path = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 0


def pattern(n):
    block = bytes(range(256)) * 16
    return (block * (n // len(block) + 1))[:n]


if case == "read-python":
    with open(path, "rb") as f:
        while f.read(65536):
            pass
elif case == "read-part":
    fd = os.open(path, os.O_RDONLY)
    os.read(fd, os.fstat(fd).st_size // 2)
    os.close(fd)
elif case == "read-mmap":
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size:
            with mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) as m:
                for off in range(0, len(m), 4096):
                    m[off]
        else:
            f.read()
elif case == "read-threads":
    fd = os.open(path, os.O_RDONLY)
    n = os.fstat(fd).st_size

    def part(a, b):
        while a < b:
            d = os.pread(fd, min(65536, b - a), a)
            if not d:
                break
            a += len(d)

    ts = [threading.Thread(target=part, args=(0, n // 2)),
          threading.Thread(target=part, args=(n // 2, n))]
    [t.start() for t in ts]
    [t.join() for t in ts]
    os.pread(fd, 1, n)  # and the end, as a reader looping to EOF would
    os.close(fd)
elif case == "read-sendfile":
    fd = os.open(path, os.O_RDONLY)
    out = os.open("/dev/null", os.O_WRONLY)
    off = 0
    while True:
        n = os.sendfile(out, fd, off, 1 << 20)
        if n == 0:
            break
        off += n
    os.close(fd)
elif case == "write-random":
    data = pattern(size)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    chunks = [(o, data[o:o + 65536]) for o in range(0, size, 65536)]
    random.Random(size).shuffle(chunks)
    for o, c in chunks:
        os.pwrite(fd, c, o)
    os.close(fd)
elif case == "write-mmap":
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    if size:
        os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as m:
            m[:] = pattern(size)
            m.flush()
    os.close(fd)
elif case == "write-append2":
    pid = os.fork()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    mine = pattern(size // 2) if pid else bytes(size - size // 2)
    for o in range(0, len(mine), 4096):
        os.write(fd, mine[o:o + 4096])
    os.close(fd)
    if pid:
        os.waitpid(pid, 0)
    else:
        os._exit(0)
else:
    sys.exit("unknown case " + case)
