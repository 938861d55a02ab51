#!/bin/sh
#
# spawn.sh - start a service jail holding COUNT sleeping processes and
# return once they all run (the jail stays behind, detached).
#
# Usage: sh bench/spawn.sh SVCJ_EXEC NAME COUNT term|ignore
#
# "ignore" makes every member ignore SIGTERM (an ignored signal stays
# ignored across fork and exec), so that only the final SIGKILL ends them.
# Used by bench/run.sh (hyperfine --prepare) and bench/soak.sh.  Uses
# $SVCJ_RUNDIR like the tools.  Exit 0 when ready, 1 otherwise.

set -u

_sp_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd) || exit 70
# shellcheck source=bench/lib.sh
. "$_sp_dir/lib.sh"

[ $# -eq 4 ] || { echo "usage: spawn.sh SVCJ_EXEC NAME COUNT term|ignore" >&2; exit 64; }
_sp_exec=$1
_sp_name=$2
_sp_count=$3
case "$4" in
term)	_sp_trap="" ;;
ignore)	_sp_trap="trap '' TERM;" ;;
*)	echo "spawn.sh: mode must be term or ignore, not '$4'" >&2; exit 64 ;;
esac

_sp_ready=$(mktemp -u "${TMPDIR:-/tmp}/svcj-spawn.XXXXXX") || exit 70

# _sp_is_ready
#	Succeed when the members have been started and all of them run.
# shellcheck disable=SC2317 # called through _sb_wait_for
_sp_is_ready()
{
	local _ns

	[ -f "$_sp_ready" ] || return 1
	_ns=$(_sb_reg_get "svcj-$_sp_name" pidns) || return 1
	[ "$(_sb_members "$_ns")" -gt "$_sp_count" ]
}

# The members are the jail's sh and COUNT sleeps (plus the reaper).
setsid "$_sp_exec" -q "$_sp_name" -- /bin/sh -c "$_sp_trap
	i=0
	while [ \$i -lt $_sp_count ]; do
		sleep 1000 &
		i=\$((i + 1))
	done
	: > '$_sp_ready'
	wait" </dev/null >/dev/null 2>&1 &

if _sb_wait_for _sp_is_ready 600; then
	rm -f "$_sp_ready"
	exit 0
fi
rm -f "$_sp_ready"
echo "spawn.sh: svcj-$_sp_name did not get $_sp_count members within 60 s" >&2
exit 1
