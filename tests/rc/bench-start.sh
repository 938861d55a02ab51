#!/bin/sh
#
# bench-start.sh - time a jailed vs an unjailed rc start in the test root.
#
# bench-start.sh [-s dash|ash] runs output.json
#
# Runs the benchmark scenario tests/rc/bench/rc_start.sh in a throwaway
# test root (see README.md here): hyperfine times "service NAME start" of
# a default-method service, unjailed and with NAME_svcj=YES.  Writes
# hyperfine's JSON (commands "unjailed" and "jailed") to output.json and
# prints a "describe: ..." line saying what was measured.  Needs root,
# the shims and hyperfine.  Exit: 0 measured, 1 failed, 64 usage.

_bs_here=$(cd "$(dirname "$0")" && pwd) || exit 70
_bs_shell=dash
if [ "${1:-}" = -s ]; then
	_bs_shell=${2:-}
	shift 2
fi
if [ $# -ne 2 ]; then
	echo "usage: bench-start.sh [-s dash|ash] runs output.json" >&2
	exit 64
fi
case "$1" in
''|*[!0-9]*|0)
	echo "bench-start.sh: runs '$1' is not a positive number" >&2
	exit 64
	;;
esac
_bs_out=$(mktemp -d /tmp/svcj-bench.XXXXXX) || exit 73
_bs_log=$_bs_out/log
sh "$_bs_here/run.sh" -v -s "$_bs_shell" -t $(( $1 * 10 + 60 )) \
    -d bench -o "$_bs_out" -e "SVCJ_BENCH_RUNS=$1" rc_start > "$_bs_log" 2>&1
_bs_st=$?
sed -n 's/^    describe: /describe: /p' "$_bs_log"
if [ "$_bs_st" -ne 0 ] || ! grep -q '^ok rc_start' "$_bs_log" ||
    [ ! -s "$_bs_out/rc-start.json" ]; then
	cat "$_bs_log" >&2
	rm -rf "$_bs_out"
	exit 1
fi
cp "$_bs_out/rc-start.json" "$2" || { rm -rf "$_bs_out"; exit 73; }
rm -rf "$_bs_out"
exit 0
