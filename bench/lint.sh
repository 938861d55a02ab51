#!/bin/sh
#
# lint.sh [-n N] [-r RUNS] [-b SVCJ_CHECK] [-p PROBE] [-o DIR]
#	Benchmark `svcj-check lint` on N generated rc.d scripts (default
#	300) written in the idioms of real port scripts (issue 14): every
#	form of options default, multi-instance `eval`, `%%NAME%%`
#	templates, method strings, functions called from top-level code,
#	command substitutions, read-only and writing commands, `KEYWORD:
#	nojail`.  Prints, as Markdown, the median wall time of RUNS runs
#	(default 20) of one `svcj-check lint` over all N files, the time per
#	script, and the peak RSS (GNU time).  With -p, also times PROBE (any
#	program taking the same files as arguments, such as a parse-only
#	probe built on another shell parser) the same way, for comparison.
#	Results go to stdout and to bench/results/lint-N.txt.  With -o, the
#	generated scripts are also copied to DIR, for other tools.
#
#	Exit status: 0; 64 on bad arguments; 69 when svcj-check or GNU time
#	is missing.

set -eu

_bl_n=300
_bl_runs=20
_bl_check=
_bl_probe=
_bl_keep=

_bl_usage()
{
	echo "usage: ${0##*/} [-n N] [-r RUNS] [-b SVCJ_CHECK] [-p PROBE] [-o DIR]" >&2
	exit 64
}

while getopts n:r:b:p:o:h _bl_o; do
	case $_bl_o in
	n)	_bl_n=$OPTARG ;;
	r)	_bl_runs=$OPTARG ;;
	b)	_bl_check=$OPTARG ;;
	p)	_bl_probe=$OPTARG ;;
	o)	_bl_keep=$OPTARG ;;
	*)	_bl_usage ;;
	esac
done
case $_bl_n$_bl_runs in
*[!0-9]*|'') _bl_usage ;;
esac

_bl_top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$_bl_top/bench/lib.sh"
_sb_need_check_and_time lint.sh "$_bl_check"
_bl_check=$_sb_check
_bl_work=$(mktemp -d "${TMPDIR:-/tmp}/svcj-bench-lint.XXXXXX")
trap 'rm -rf "$_bl_work"' EXIT INT TERM

#
# _bl_script i name
#	Print generated rc.d script number i, named name, in one of twelve
#	idioms chosen by i.
#
_bl_script()
{
	local _i _s _decl _body

	_i=$1
	_s=$2
	_body=
	case $((_i % 12)) in
	0)	_decl=": \${${_s}_svcj_options:=\"net_basic\"}" ;;
	1)	_decl="${_s}_svcj_options=\${${_s}_svcj_options:-\"net_basic\"}" ;;
	2)	_decl="[ -z \"\$${_s}_svcj_options\" ] && ${_s}_svcj_options=\"netv4 sysvipc\"" ;;
	3)	_decl="if [ -z \"\$${_s}_svcj_options\" ]; then
	${_s}_svcj_options=\"mlock\"
fi" ;;
	4)	_decl="eval \": \\\${\${name}_svcj_options:=\\\"net_basic\\\"}\"" ;;
	5)	_decl=": \${${_s}_svcj_options:=\"net_basic bogus\"}
[ -x \"\$command\" ] && eval \"\${name}_svcj=YES\"" ;;
	6)	_decl=": \${${_s}_svcj_options:=\"\"}"
		_body="start_cmd=\"/sbin/ifconfig ${_s}0 create up\"" ;;
	7)	_decl=": \${${_s}_svcj_options:=\"net_basic\"}"
		_body="${_s}_setup
" ;;
	8)	_decl=": \${${_s}_svcj_options:=\"\"}"
		_body="start_cmd=\"${_s}_start\"" ;;
	9)	_decl=": \${${_s}_svcj_options:=\"net_raw\"}"
		_body="start_cmd=\"${_s}_start\"
stop_cmd=\"${_s}_stop\"" ;;
	10)	_decl=": \${${_s}_svcj_options:=\"\"}"
		_body="status_cmd=\"${_s}_status\"" ;;
	*)	_decl= ;;
	esac
	if [ $((_i % 12)) -eq 11 ]; then
		echo "#!/bin/sh"
		echo "# PROVIDE: $_s"
		echo "# KEYWORD: nojail shutdown"
	else
		echo "#!/bin/sh"
		echo "# PROVIDE: $_s"
		echo "# REQUIRE: LOGIN NETWORKING"
		echo "# KEYWORD: shutdown"
	fi
	cat <<EOF
#
# Generated benchmark script $_i for svcj-check lint.  The comment block
# stands for the usual licence and usage text of a port's script:
#
# ${_s}_enable (bool):	Set to NO by default.
#				Set it to YES to enable $_s.
# ${_s}_config (path):	Set to %%PREFIX%%/etc/$_s.conf by default.
# ${_s}_user (str):	Set to $_s by default.
# ${_s}_flags (str):	Extra flags passed to $_s.

. /etc/rc.subr

name="$_s"
rcvar="${_s}_enable"
desc="generated service $_i"
command="/usr/local/sbin/$_s"
pidfile="/var/run/$_s/$_s.pid"
extra_commands="reload configtest"
configtest_cmd="${_s}_configtest"
start_precmd="${_s}_prestart"

${_s}_prestart()
{
	if [ ! -d /var/run/$_s ]; then
		install -d -o \${${_s}_user} -m 0755 /var/run/$_s
	fi
	kldstat -q -m ${_s}fs || kldload ${_s}fs
	${_s}_configtest || return 1
}

${_s}_configtest()
{
	if ! \${command} -t -c "\${${_s}_config}" >/dev/null 2>&1; then
		echo "\${name}: configuration test failed" >&2
		return 1
	fi
}

${_s}_setup()
{
	\${SYSCTL} net.inet.ip.forwarding=1 >/dev/null
	mount -t fdescfs | grep -q /dev/fd || mount -t fdescfs fdesc /dev/fd
}

${_s}_start()
{
	local ncpu os
	ncpu=\$(\${SYSCTL_N} hw.ncpu)
	os=\`uname -s\`
	for i in \$(ifconfig -l); do
		ifconfig "\$i" inet >/dev/null
	done
	route -n get default >/dev/null || return 1
	/usr/sbin/daemon -p "\${pidfile}" -u "\${${_s}_user}" \\
	    \${command} -j "\$ncpu" -o "\$os" \${${_s}_flags}
}

${_s}_stop()
{
	pkill -F "\${pidfile}" && devfs rule -s 10 delset
	/usr/local/bin/wg-quick down ${_s}0
}

${_s}_status()
{
	case "\$(pgrep -f ${_s}-helper)" in
	'')	echo "\${name} is not running." ; return 1 ;;
	*)	echo "\${name} is running." ;;
	esac
}

$_body

load_rc_config \$name

: \${${_s}_enable:="NO"}
: \${${_s}_config:="/usr/local/etc/$_s.conf"}
: \${${_s}_user:="$_s"}
$_decl

command_args="-c \${${_s}_config} -p \${pidfile}"

run_rc_command "\$1"
EOF
}

_bl_i=0
while [ "$_bl_i" -lt "$_bl_n" ]; do
	_bl_script "$_bl_i" "svc$_bl_i" > "$_bl_work/svc$_bl_i"
	_bl_i=$((_bl_i + 1))
done
_bl_lines=$(cat "$_bl_work"/svc* | wc -l)
if [ -n "$_bl_keep" ]; then
	mkdir -p "$_bl_keep"
	cp "$_bl_work"/svc* "$_bl_keep"/
fi

#
# _bl_row label command...
#	Print a Markdown row: label, median ms, µs per script, peak RSS.
#
_bl_row()
{
	local _label _ms _kb

	_label=$1
	shift
	_ms=$(_sb_median_ms "$_bl_runs" "$_bl_work" 2 "$@")
	_kb=$(_sb_peak_rss "$_bl_work" "$@")
	echo "| $_label | $_ms | $(echo "$_ms $_bl_n" | awk '{ printf "%.1f", $1 * 1000 / $2 }') | $_kb |"
}

_bl_out=$_bl_top/bench/results/lint-$_bl_n.txt
mkdir -p "$_bl_top/bench/results"
{
	echo "## svcj-check lint, $_bl_n generated scripts ($_bl_lines lines)"
	echo
	echo "$(uname -sr), $(nproc 2>/dev/null || echo '?') CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), median of $_bl_runs runs, one process for all files."
	echo
	echo "| what | median ms | µs per script | peak RSS KiB |"
	echo "|---|---|---|---|"
	# shellcheck disable=SC2086 # the file list is generated, no spaces
	_bl_row "svcj-check lint (text)" "$_bl_check" lint "$_bl_work"/svc*
	_bl_row "svcj-check lint --json" "$_bl_check" lint --json "$_bl_work"/svc*
	if [ -n "$_bl_probe" ]; then
		_bl_row "probe: $(basename "$_bl_probe") (parse only)" "$_bl_probe" "$_bl_work"/svc*
	fi
	echo
	"$_bl_check" lint "$_bl_work"/svc* 2>/dev/null | tail -n 1 | sed 's/^[^:]*: /last file: /'
} | tee "$_bl_out"
