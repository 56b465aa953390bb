#!/bin/bash
# Installs the Debian packages spx needs to build and test, if missing.
# Runs as root (or through sudo) on Debian 12.
set -eu
pkgs=(
	build-essential clang meson ninja-build pkg-config scdoc
	libfuse3-dev fuse3
	libseccomp-dev libcap-dev libssl-dev libjansson-dev
	check util-linux procps jq python3 cppcheck clang-tidy stress-ng busybox-static
	# the corpus of real programs (tests/integration/corpus.sh) and its trace
	coreutils tar gzip bzip2 xz-utils zstd grep sed gawk findutils diffutils patch file
	sqlite3 openssl perl make gcc libc6-dev git strace
	# a passthrough that resolves names again: the control for the rename race
	bindfs
	# file capabilities a write must clear (tests/integration/t_confine.sh)
	libcap2-bin
	# the Debian package and its checks (tests/integration/t_package.sh)
	debhelper dpkg-dev lintian man-db
	# the container engines spxbox-oci runs under (tests/integration/t_oci.sh)
	podman conmon runc containerd uidmap slirp4netns fuse-overlayfs
	# the report in a real browser, the provenance checked by in-toto's own
	# tools (tests/integration/t_report.sh, t_provenance.sh)
	chromium in-toto
	# undo's reflinks, on an XFS image the test makes (tests/integration/t_undo.sh)
	xfsprogs
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "spx: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >/dev/null
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
