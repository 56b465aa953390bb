#!/bin/bash
# fixture.sh DIR: makes DIR/fixture, the tree posix_ops' permission checks
# run against (owned by root, with files of another user), and leaves DIR
# itself writable by the user that will run posix_ops.
set -eu
d=$1/fixture
mkdir -p "$d"
mkdir "$d/ro" && echo ro > "$d/ro/file" && chmod 0444 "$d/ro/file" && chmod 0555 "$d/ro"
mkdir "$d/noexec" && echo x > "$d/noexec/file" && chmod 0644 "$d/noexec"
echo secret > "$d/secret" && chmod 0600 "$d/secret"
echo others > "$d/others" && chown 65534:65534 "$d/others" && chmod 0644 "$d/others"
mkdir "$d/sticky" && chmod 1777 "$d/sticky"
echo o > "$d/sticky/others" && chown 65534:65534 "$d/sticky/others"
mkdir "$d/sgid" && chgrp 4242 "$d/sgid" && chmod 2777 "$d/sgid"
chmod 0755 "$d"
