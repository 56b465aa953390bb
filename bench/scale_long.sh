#!/bin/bash
# scale_long.sh [FILES] [HELD]: the scale test at length: FILES (default
# 1,000,000) created, stat'ed, read and removed through a confined spxfs
# limited to 1,024 descriptors, HELD (default 100,000) held open at once.
# Run as root.
set -eu
cd "$(dirname "$0")/.."
SPX_BUILD=${SPX_BUILD:-build} SPX_SCALE_FILES=${1:-1000000} SPX_HOLD_FILES=${2:-100000} exec bash tests/integration/t_scale.sh
