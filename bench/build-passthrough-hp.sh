#!/bin/bash
# Builds libfuse's example/passthrough_hp from Debian's fuse3 source package
# into bench/.cache/passthrough_hp, for side-by-side benchmarks. Adds a
# deb-src entry mirroring the existing Debian one when there is none.
set -eu
cd "$(dirname "$0")"
out=$PWD/.cache/passthrough_hp
[ -x "$out" ] && exit 0
mkdir -p .cache
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	src=/etc/apt/sources.list.d/debian.sources
	[ -f "$src" ] || { echo "no $src to mirror for deb-src" >&2; exit 1; }
	sed 's/^Types: deb$/Types: deb-src/' "$src" >/etc/apt/sources.list.d/spx-deb-src.sources
	apt-get update -q >/dev/null
fi
command -v g++ >/dev/null || apt-get install -y -q --no-install-recommends g++ >/dev/null
command -v dpkg-source >/dev/null || apt-get install -y -q --no-install-recommends dpkg-dev >/dev/null
(cd .cache && rm -rf fuse3-src && mkdir fuse3-src && cd fuse3-src && apt-get source -q fuse3 >/dev/null 2>&1)
dir=$(find .cache/fuse3-src -mindepth 1 -maxdepth 1 -type d -name 'fuse3-*' | head -1)
# The HAVE_* defines libfuse's own meson build sets on Linux.
g++ -O2 -std=c++17 -DHAVE_UTIMENSAT -DHAVE_POSIX_FALLOCATE -DHAVE_SETXATTR -DHAVE_FALLOCATE \
	-DHAVE_COPY_FILE_RANGE -I"$dir/example" \
	$(pkg-config --cflags fuse3) "$dir/example/passthrough_hp.cc" -o "$out" \
	$(pkg-config --libs fuse3) -lpthread
echo "built $out"
