#!/bin/sh
#
# audit-mem.sh [-b SVCJ_CHECK] [-r RUNS] [N ...]
#	Time and peak RSS of `svcj-check audit --root TREE` (text and --json)
#	on generated trees of N services (default: 1000 10000), the shape of
#	bench/run.sh's audit trees: half the scripts in /etc/rc.d, half in
#	/usr/local/etc/rc.d, each with a `: ${name_svcj_options:=…}` default,
#	rc.conf and rc.conf.d enabling and jailing them in five patterns.
#	Issue 12's goal: < 1 s at 10,000 services, peak RSS <= 4 MB at both
#	sizes (flat).  Prints Markdown (median wall ms of RUNS runs, default
#	5; peak RSS: median of 5 runs under GNU time) and writes it to
#	bench/results/audit-mem.txt.
#
#	Exit status: 0; 64 on bad arguments; 69 when svcj-check or GNU time
#	is missing.

set -eu

_ba_check=
_ba_runs=5

_ba_usage()
{
	echo "usage: ${0##*/} [-b SVCJ_CHECK] [-r RUNS] [N ...]" >&2
	exit 64
}

while getopts b:r:h _ba_o; do
	case $_ba_o in
	b)	_ba_check=$OPTARG ;;
	r)	_ba_runs=$OPTARG ;;
	*)	_ba_usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1000 10000
for _ba_n in "$_ba_runs" "$@"; do
	case $_ba_n in
	*[!0-9]*|'') _ba_usage ;;
	esac
done

_ba_top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$_ba_top/bench/lib.sh"
_sb_need_check_and_time audit-mem.sh "$_ba_check"
_ba_check=$_sb_check
_ba_work=$(mktemp -d "${TMPDIR:-/tmp}/svcj-bench-audit.XXXXXX")
trap 'rm -rf "$_ba_work"' EXIT INT TERM

_ba_sizes=$*
_ba_out=$_ba_top/bench/results/audit-mem.txt
mkdir -p "$_ba_top/bench/results"
{
	echo "## svcj-check audit: time and peak RSS"
	echo
	echo "$(uname -sr), $(nproc 2>/dev/null || echo '?') CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), median of $_ba_runs runs."
	echo "Goal (issue 12): < 1000 ms at 10,000 services; peak RSS <= 4096 KiB at every size."
	echo
	echo "| services | output | median ms | peak RSS KiB | goal met |"
	echo "|---|---|---|---|---|"
	for _ba_n in $_ba_sizes; do
		_ba_d=$_ba_work/tree$_ba_n
		_sb_gen_tree "$_ba_d" "$_ba_n" bench/audit-mem.sh
		for _ba_fmt in text json; do
			if [ "$_ba_fmt" = json ]; then
				set -- "$_ba_check" audit --json --root "$_ba_d"
			else
				set -- "$_ba_check" audit --root "$_ba_d"
			fi
			_ba_ms=$(_sb_median_ms "$_ba_runs" "$_ba_work" 1 "$@")
			_ba_kb=$(_sb_peak_rss "$_ba_work" "$@")
			_ba_ok=yes
			[ "$_ba_kb" -le 4096 ] || _ba_ok=NO
			if [ "$_ba_n" -ge 10000 ]; then
				awk -v m="$_ba_ms" 'BEGIN { exit !(m < 1000) }' || _ba_ok=NO
			fi
			echo "| $_ba_n | $_ba_fmt | $_ba_ms | $_ba_kb | $_ba_ok |"
		done
		rm -rf "$_ba_d"
	done
} | tee "$_ba_out"
