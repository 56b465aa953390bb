#!/bin/bash
# stress_long.sh [SEEDS] [OPS]: the model-based stress test at length
# (default 1,000 seeds of 2,000 operations), native against spxfs.
set -eu
cd "$(dirname "$0")/.."
SPX_BUILD=${SPX_BUILD:-build} SPX_STRESS_SEEDS=${1:-1000} SPX_STRESS_OPS=${2:-2000} \
	exec bash tests/integration/t_stress.sh
