#!/usr/bin/env python3
"""reforge: what someone without the key does to an audit log they edited.

    reforge.py LOG OUT FROM TO [--downgrade]

Replaces FROM by TO in every record, then recomputes every record's "prev"
as the plain SHA-256 of the line before (the unkeyed chain), so that the
edit leaves no break a reader without the key could see. --downgrade also
rewrites a keyed header's chain to "sha256". A keyed log must not verify
with its key afterwards; an unkeyed one does (the control that shows the
forger works).
"""
import hashlib
import re
import sys

src, dst, old, new = sys.argv[1:5]
downgrade = "--downgrade" in sys.argv[5:]
lines = open(src, "rb").read().decode().split("\n")
if lines and lines[-1] == "":
    lines.pop()
out = []
prev = None
for line in lines:
    line = line.replace(old, new)
    if downgrade:
        line = line.replace('"chain":"hmac-sha256"', '"chain":"sha256"')
    if prev is not None:
        line = re.sub(r'"prev":"[0-9a-f]{64}"', '"prev":"%s"' % prev, line, count=1)
    out.append(line)
    prev = hashlib.sha256(line.encode()).hexdigest()
open(dst, "w").write("\n".join(out) + "\n")
