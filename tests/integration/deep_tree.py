# deep_tree.py MNT DEPTH: makes a tree DEPTH directories deep under MNT,
# pushes the chain's descriptors out of a small spxfs cache by touching
# other inodes, then creates a file in the deepest directory: spxfs must
# re-resolve the whole evicted chain to serve it.
import os, sys
n = int(sys.argv[2]); os.chdir(sys.argv[1])
for i in range(n):
    os.mkdir("d"); os.chdir("d")
top = os.open(sys.argv[1], os.O_RDONLY)
for i in range(200):      # other inodes push the chain's descriptors out
    os.close(os.open("/".join([sys.argv[1], "f%d" % i]), os.O_CREAT | os.O_WRONLY, 0o644))
fd = os.open("leaf", os.O_CREAT | os.O_WRONLY, 0o644)   # in the deepest directory
os.write(fd, b"deep"); os.close(fd)
print("ok", len(os.listdir(".")))
