#!/bin/sh
#
# rc-start.sh - benchmark 2 of bench/run.sh: an rc.d service started
# jailed vs unjailed in the rc test root.
#
# Usage: sh bench/rc-start.sh RUNS OUT.json
#
# Runs the rc platform's tests/rc/bench-start.sh (scenario
# tests/rc/bench/rc_start.sh: hyperfine inside the root) with the release
# binaries, and passes on its "describe: " line and its JSON.

set -u

_rs_top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd) || exit 70
cd "$_rs_top" || exit 70
[ $# -eq 2 ] || { echo "usage: sh bench/rc-start.sh RUNS OUT.json" >&2; exit 64; }
[ -f tests/rc/bench-start.sh ] || { echo "rc-start.sh: tests/rc/bench-start.sh is missing" >&2; exit 69; }
# The release binaries, as the port installs them (bench/run.sh builds them).
[ -x target/release/svcj-exec ] || cargo build --release --locked -q || exit 70
SVCJ_TEST_BINDIR=$_rs_top/target/release SVCJ_TEST_NO_BUILD=1 \
    sh tests/rc/bench-start.sh "$1" "$2" | sed 's/^describe: .*/&; release binaries (target\/release)/'
