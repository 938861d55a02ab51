#!/bin/sh
#
# rc-start.sh - benchmark 2 of bench/run.sh: an rc.d service started
# jailed vs unjailed in the rc test root.
#
# Usage: sh bench/rc-start.sh RUNS OUT.json
#
# Runs the scenario tests/rc/bench/bench_rc_start.sh (bench/alternate.py
# inside the root: unjailed and jailed starts alternated, RUNS runs each,
# release binaries) and copies its export (hyperfine's JSON shape) to
# OUT.json.  Prints a "describe: " line with the exact command for the
# report.

set -u

_rs_top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd) || exit 70
cd "$_rs_top" || exit 70
[ $# -eq 2 ] || { echo "usage: sh bench/rc-start.sh RUNS OUT.json" >&2; exit 64; }
_rs_runs=$1
_rs_out=$2
_rs_dir=$(mktemp -d "${TMPDIR:-/tmp}/svcj-rcstart.XXXXXX") || exit 73
_rs_log=$_rs_dir/log
# The scenario's timer and its export travel through run.sh -o, which binds
# _rs_dir/out at /svcj-test-out in the root.
mkdir "$_rs_dir/out" && cp bench/alternate.py "$_rs_dir/out/" || exit 73

# The release binaries, as installed by the port (bench/run.sh builds them).
[ -x target/release/svcj-exec ] || cargo build --release --locked -q || exit 70
SVCJ_TEST_BINDIR=$_rs_top/target/release SVCJ_TEST_NO_BUILD=1 \
    sh tests/rc/run.sh -v -t $((_rs_runs * 10 + 60)) -d bench -o "$_rs_dir/out" \
    -e "SVCJ_BENCH_RUNS=$_rs_runs" bench_rc_start > "$_rs_log" 2>&1
_rs_st=$?
if [ "$_rs_st" -ne 0 ] || ! grep -q '^ok bench_rc_start' "$_rs_log" ||
    ! cp "$_rs_dir/out/rc-start.json" "$_rs_out"; then
	cat "$_rs_log"
	rm -rf "$_rs_dir"
	exit 1
fi
rm -rf "$_rs_dir"
echo "describe: In the rc test root (\`sh tests/rc/run.sh -v -d bench -o DIR bench_rc_start\`, DIR holding bench/alternate.py, scenario \`tests/rc/bench/bench_rc_start.sh\`): two copies of the same default-method rc.d script (\`command=/usr/sbin/daemon\`, \`-p pidfile /bin/sleep 600\`), one with \`NAME_svcj=YES\`; /run (the Linux registry) is a tmpfs in the root as on a Linux host; started alternately (unjailed, jailed, unjailed, …) by \`python3 bench/alternate.py --warmup 2 --runs $_rs_runs --prepare '<stop both>' -n unjailed 'service rcbu onestart' -n jailed 'service rcbj onestart'\`, fixture rc.subr, dash as /bin/sh, release binaries (target/release)."
[ -s "$_rs_out" ]
