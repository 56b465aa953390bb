#!/bin/bash
# scale_long.sh [FILES]: the scale test at length (default 1,000,000
# files created, stat'ed, read and removed through a confined spxfs
# limited to 1,024 descriptors), as CI runs it with 100,000. Run as root.
set -eu
cd "$(dirname "$0")/.."
SPX_BUILD=${SPX_BUILD:-build} SPX_SCALE_FILES=${1:-1000000} exec bash tests/integration/t_scale.sh
