#!/bin/sh
#
# soak.sh - reliability soak and fault injection for svcj-tools on Linux.
#
# Usage: sh bench/soak.sh [--short]
#
# Checks, each reported as "ok - what" or "FAIL - what: why":
#   cycles      N start/stop cycles (svcj-exec, then svcj-kill) leave no
#               jail, registry entry, PID namespace, mount or process
#   sigkill     svcj-exec killed with SIGKILL at staggered times during a
#               start (0..80 ms) leaves nothing that blocks the next start
#               once the jail is stopped
#   stages      the same, at exact stages: bench/delay.c (LD_PRELOAD)
#               holds svcj-exec or its reaper in one call (flock, unshare,
#               fork, rename, mount, execv) while svcj-exec is killed; once
#               the call has gone on, a stop (svcj-kill) and the next start
#               must work and nothing may be left (needs cc; else skipped)
#   concurrent  50 services started at once, then stopped at once
#   same-name   concurrent starts of one service: exactly one succeeds,
#               the others fail with 69 and "already exists"
#   rc cycles   N start/stop cycles of a jailed rc.d service through the
#               shims in the rc test root (tests/rc/bench/soak_rc_cycles.sh):
#               no jail, registry entry, process, PID namespace, mount or
#               live pidfile left
# Full mode: 1000 cycles each, 10 rounds of kills.  --short (CI): 30
# direct and 20 rc cycles, one round; well under two minutes.  Ends with "soak: N passed, N
# failed" and exits 1 if anything failed.  Needs root (namespaces): when
# not root it prints "skipped: needs root" and exits 0.
#
# Environment: SVCJ_TEST_BINDIR (svcj-exec/-kill; default target/debug,
# built first when missing).  The jails use a private SVCJ_RUNDIR.

set -u

_sk_top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd) || exit 70
cd "$_sk_top" || exit 70
# shellcheck source=bench/lib.sh
. "$_sk_top/bench/lib.sh"

_sk_cycles=1000
_sk_rccycles=1000
_sk_rounds=10
case "${1:-}" in
--short)	_sk_cycles=30; _sk_rccycles=20; _sk_rounds=1 ;;
'')	;;
*)	echo "usage: sh bench/soak.sh [--short]" >&2; exit 64 ;;
esac

if ! _sb_is_root; then
	echo "soak: skipped: needs root (namespaces)"
	exit 0
fi

_sk_bin=${SVCJ_TEST_BINDIR:-$_sk_top/target/debug}
if [ ! -x "$_sk_bin/svcj-exec" ] || [ ! -x "$_sk_bin/svcj-kill" ]; then
	cargo build -q --locked --bins || exit 70
fi
_sk_exec=$_sk_bin/svcj-exec
_sk_kill=$_sk_bin/svcj-kill

_sk_work=$(mktemp -d "${TMPDIR:-/tmp}/svcj-soak.XXXXXX") || exit 73
SVCJ_RUNDIR=$_sk_work/run
export SVCJ_RUNDIR
mkdir -m 0700 "$SVCJ_RUNDIR" || exit 73
# Every jailed command carries this word in its command line, so that a
# leaked process is found whatever namespace it ended up in.
_sk_mark=svcj-soak-marker-$$
_sk_passed=0
# Resource limits for _sk_start (empty: none).
_sk_rctl=
_sk_failed=0
# PID namespaces of every jail seen (one per line).
_sk_nslog=$_sk_work/pidns

# _sk_cleanup
#	Kill whatever this run left (so that a failed soak does not poison
#	the machine) and remove the work directory.
# shellcheck disable=SC2317 # called by the EXIT trap
_sk_cleanup()
{
	local _f

	for _f in "$SVCJ_RUNDIR"/*.jail; do
		[ -f "$_f" ] || continue
		"$_sk_kill" -q -t 1 "$(basename "$_f" .jail)" >/dev/null 2>&1
	done
	_sk_kill_ours
	rm -rf "$_sk_work"
}
trap _sk_cleanup EXIT
trap 'exit 130' INT TERM

# _sk_result name status [reason]
#	Count and print the outcome of one check.
_sk_result()
{
	if [ "$2" -eq 0 ]; then
		_sk_passed=$((_sk_passed + 1))
		echo "ok - $1"
	else
		_sk_failed=$((_sk_failed + 1))
		echo "FAIL - $1: ${3:-failed}"
	fi
}

# _sk_kill_ours
#	SIGKILL every leftover process of ours (cleanup after a failure).
# shellcheck disable=SC2317 # also called from the EXIT trap
_sk_kill_ours()
{
	local _p

	for _p in $(_sk_ours | cut -d ' ' -f 1); do
		kill -KILL "$_p" 2>/dev/null
	done
}

# _sk_reap pid...
#	Wait for the given background jobs, at most 10 s; whatever still
#	runs then (a jail that should have been removed) is killed first, so
#	that a failing soak reports instead of hanging.  Succeed when nothing
#	had to be killed.
_sk_reap()
{
	local _p _alive _i _rc

	_rc=0
	_i=0
	while [ "$_i" -lt 100 ]; do
		_alive=""
		for _p in "$@"; do
			kill -0 "$_p" 2>/dev/null && _alive="$_alive $_p"
		done
		[ -z "$_alive" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ -n "$_alive" ]; then
		_rc=1
		_sk_kill_ours
		for _p in $_alive; do
			kill -KILL "$_p" 2>/dev/null
		done
	fi
	for _p in "$@"; do
		wait "$_p" 2>/dev/null
	done
	return "$_rc"
}

# _sk_registered jail
#	Succeed when jail has a registry entry; log its pid namespace.
_sk_registered()
{
	local _ns

	_ns=$(_sb_reg_get "$1" pidns) || return 1
	[ -n "$_ns" ] || return 1
	echo "$_ns" >> "$_sk_nslog"
	return 0
}

# _sk_start name
#	Start service jail svcj-name running the marked sleep, in the
#	background; its svcj-exec pid is left in _sk_pid.
_sk_start()
{
	"$_sk_exec" -q ${_sk_rctl:+-R "$_sk_rctl"} "$1" -- \
	    /bin/sh -c 'sleep 1000' "$_sk_mark" \
	    </dev/null >/dev/null 2>>"$_sk_work/exec.err" &
	_sk_pid=$!
}

# _sk_ours
#	Print "pid comm" of every process this run started that should be
#	gone: anything inside another PID namespace that carries our
#	SVCJ_RUNDIR in its environment (a reaper or a jailed process; the
#	path is unique to this run) or the marker in its command line, and
#	any svcj-* tool of ours still running on the host.
_sk_ours()
{
	local _p _host _ns _comm

	_host=$(readlink /proc/self/ns/pid)
	for _p in /proc/[0-9]*; do
		grep -qas "SVCJ_RUNDIR=$SVCJ_RUNDIR" "$_p/environ" ||
		    grep -qas "$_sk_mark" "$_p/cmdline" || continue
		_ns=$(readlink "$_p/ns/pid" 2>/dev/null) || continue
		_comm=$(cat "$_p/comm" 2>/dev/null) || continue
		case "$_comm" in
		svcj-*)	;;
		*)	[ "$_ns" = "$_host" ] && continue ;;
		esac
		echo "${_p#/proc/} $_comm"
	done
}

# _sk_leftovers
#	Print what is left over: registry entries and processes of ours
#	(see _sk_ours).  Empty when clean.
_sk_leftovers()
{
	local _f _l

	for _f in "$SVCJ_RUNDIR"/*.jail; do
		[ -f "$_f" ] && echo "registry entry $(basename "$_f")"
	done
	_l=$(_sk_ours | tr '\n' ' ')
	[ -n "$_l" ] && echo "processes: $_l"
	# Resource limits: the jails' cgroups (Linux).
	_l=$(find /sys/fs/cgroup -maxdepth 5 -type d -name 'svcj-soak_*' \
	    2>/dev/null | tr '\n' ' ')
	[ -n "$_l" ] && echo "cgroups: $_l"
	return 0
}

# _sk_check_cycles count
#	count start/stop cycles of one service jail; then nothing may be
#	left, and the host's mounts must not have changed.
_sk_check_cycles()
{
	local _n _i _err _left _m0 _m1 _ns0 _ns1 _st

	_n=$1
	_m0=$(cat /proc/self/mountinfo)
	_ns0=$(_sb_pidns_list | wc -l)
	_err=""
	_i=0
	while [ "$_i" -lt "$_n" ] && [ -z "$_err" ]; do
		_sk_start soak_cycle
		if ! _sb_wait_for "_sk_registered svcj-soak_cycle" 100; then
			_err="cycle $_i: no registry entry after 10 s ($(tail -n 1 "$_sk_work/exec.err" 2>/dev/null))"
			kill -KILL "$_sk_pid" 2>/dev/null
			break
		fi
		"$_sk_kill" -q -t 2 svcj-soak_cycle
		_st=$?
		[ "$_st" -ne 0 ] && _err="cycle $_i: svcj-kill exited $_st"
		_sk_reap "$_sk_pid" ||
		    _err="${_err:-cycle $_i: svcj-exec still ran 10 s after svcj-kill}"
		[ -f "$SVCJ_RUNDIR/svcj-soak_cycle.jail" ] &&
		    _err="cycle $_i: registry entry left after svcj-kill"
		_i=$((_i + 1))
	done
	_left=$(_sk_leftovers)
	[ -z "$_err" ] && [ -n "$_left" ] && _err="left over: $(echo "$_left" | tr '\n' ';')"
	# A leaked mount is one that appeared (one that went away is someone
	# else's unmount).
	# (Mount and parent ids are left out: they change on every mount.)
	_m1=$(echo "$_m0" | sed 's/^[^ ]* [^ ]* //' | sort > "$_sk_work/mnt0"
	    sed 's/^[^ ]* [^ ]* //' /proc/self/mountinfo | sort |
	    comm -13 "$_sk_work/mnt0" - | tr '\n' ';')
	[ -z "$_err" ] && [ -n "$_m1" ] && _err="mounts appeared on the host: $_m1"
	_ns1=$(_sb_pidns_list | wc -l)
	echo "# cycles: $_i done; distinct pid namespaces on the host before $_ns0, after $_ns1; $(sort -u "$_sk_nslog" | wc -l) jail namespaces seen"
	[ -z "$_err" ]
	_sk_result "cycles: $_n start/stop cycles leave nothing behind" $? "$_err"
}

# _sk_check_sigkill rounds
#	Kill svcj-exec with SIGKILL at staggered times of a start; after
#	svcj-kill of the jail (what rc stop does), the next start must work
#	and nothing may be left.
_sk_check_sigkill()
{
	local _r _d _err _st _tries

	_err=""
	_tries=0
	_r=0
	# With resource limits where the host has cgroups: no cgroup may be
	# left either.
	[ -d /sys/fs/cgroup ] && _sk_rctl="maxproc:deny=100"
	while [ "$_r" -lt "$1" ] && [ -z "$_err" ]; do
		for _d in 0 0.001 0.002 0.003 0.005 0.008 0.012 0.02 0.03 0.05 0.08; do
			_sk_start soak_kill9
			[ "$_d" != 0 ] && sleep "$_d"
			kill -KILL "$_sk_pid" 2>/dev/null
			_sk_reap "$_sk_pid"
			_sk_registered svcj-soak_kill9
			"$_sk_kill" -q -t 1 svcj-soak_kill9
			_st=$?
			_tries=$((_tries + 1))
			if [ "$_st" -ne 0 ]; then
				_err="killed after ${_d}s: svcj-kill exited $_st"
				break
			fi
			_sk_after_kill "killed after ${_d}s" soak_kill9 || break
		done
		_r=$((_r + 1))
	done
	_sk_rctl=
	[ -z "$_err" ]
	_sk_result "sigkill: svcj-exec killed at $_tries points of a start blocks nothing" $? "$_err"
}

# _sk_after_kill label name
#	After svcj-exec was killed during a start of svcj-name and svcj-kill
#	ran: check that nothing is left and that svcj-name starts again.  On
#	failure set _err (prefixed with label), clean up, and return 1.
_sk_after_kill()
{
	local _left

	_left=$(_sk_leftovers)
	if [ -n "$_left" ]; then
		_err="$1: left over after svcj-kill: $(echo "$_left" | tr '\n' ';')"
		_sk_kill_ours
		return 1
	fi
	if ! "$_sk_exec" -q "$2" -- /bin/true 2>"$_sk_work/next.err"; then
		_err="$1: the next start failed: $(cat "$_sk_work/next.err")"
		"$_sk_kill" -q -t 1 "svcj-$2"
		return 1
	fi
	return 0
}

# _sk_check_stages
#	Kill svcj-exec while it (or its reaper) is held in each call listed
#	in bench/delay.c; then stop the jail, start it again, and check that
#	nothing is left.
_sk_check_stages()
{
	local _c _err _so _i _st _done

	_so=$_sk_work/delay.so
	if ! cc -shared -fPIC -O2 -o "$_so" bench/delay.c -ldl 2>"$_sk_work/cc.err"; then
		echo "# stages: skipped: cannot build bench/delay.c ($(head -n 1 "$_sk_work/cc.err"))"
		return 0
	fi
	_err=""
	_done=""
	for _c in flock unshare fork rename mount execv; do
		rm -f "$_sk_work/mark"
		LD_PRELOAD=$_so SVCJ_SOAK_DELAY=$_c SVCJ_SOAK_DELAY_MS=300 \
		    SVCJ_SOAK_MARK=$_sk_work/mark "$_sk_exec" -q soak_stage -- \
		    /bin/sh -c 'sleep 1000' "$_sk_mark" </dev/null >/dev/null 2>&1 &
		_sk_pid=$!
		_i=0
		while [ "$_i" -lt 100 ] && [ ! -s "$_sk_work/mark" ]; do
			sleep 0.05
			_i=$((_i + 1))
		done
		if [ ! -s "$_sk_work/mark" ]; then
			_err="$_c: svcj-exec never reached it"
			kill -KILL "$_sk_pid" 2>/dev/null
			_sk_reap "$_sk_pid"
			# Leave nothing for the checks that follow.
			"$_sk_kill" -q -t 1 svcj-soak_stage >/dev/null 2>&1
			break
		fi
		kill -KILL "$_sk_pid" 2>/dev/null
		_sk_reap "$_sk_pid"
		# Stop at once, as rc would, while the held call (300 ms) is
		# still pending: a start whose starter died before the command
		# ran must not carry on behind svcj-kill's back.
		_sk_registered svcj-soak_stage
		"$_sk_kill" -q -t 1 svcj-soak_stage
		_st=$?
		if [ "$_st" -ne 0 ]; then
			_err="killed in $_c: svcj-kill exited $_st"
			break
		fi
		sleep 0.5
		_sk_after_kill "killed in $_c" soak_stage || break
		_done="$_done $_c"
	done
	[ -z "$_err" ]
	_sk_result "stages: svcj-exec killed in$_done blocks nothing" $? "$_err"
}

# _sk_check_concurrent count
#	Start count services at once, check they all run, stop them at
#	once, check nothing is left.
_sk_check_concurrent()
{
	local _n _i _pids _kpids _err _ok _st

	_n=$1
	_pids=""
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_sk_start "soak_c$_i"
		_pids="$_pids $_sk_pid"
		_i=$((_i + 1))
	done
	_err=""
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		if ! _sb_wait_for "_sk_registered svcj-soak_c$_i" 300; then
			_err="svcj-soak_c$_i not running after 30 s ($(tail -n 1 "$_sk_work/exec.err" 2>/dev/null))"
			break
		fi
		_i=$((_i + 1))
	done
	_ok=$_i
	_i=0
	: > "$_sk_work/kill.st"
	_kpids=""
	while [ "$_i" -lt "$_n" ]; do
		{ "$_sk_kill" -q -t 2 "svcj-soak_c$_i"; echo "$?" >> "$_sk_work/kill.st"; } &
		_kpids="$_kpids $!"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086 # deliberate word list
	_sk_reap $_kpids $_pids ||
	    _err="${_err:-a service or svcj-kill still ran 10 s after the stop}"
	_st=$(grep -cvx 0 "$_sk_work/kill.st")
	[ "$_st" -ne 0 ] && [ -z "$_err" ] &&
	    _err="$_st concurrent svcj-kill runs failed (exit $(grep -vx 0 "$_sk_work/kill.st" | sort -u | tr '\n' ' '))"
	_st=$(_sk_leftovers)
	[ -z "$_err" ] && [ -n "$_st" ] && _err="left over: $(echo "$_st" | tr '\n' ';')"
	[ -z "$_err" ]
	_sk_result "concurrent: $_n services started at once ($_ok ran) and stopped at once" $? "$_err"
}

# _sk_check_same_name count
#	count concurrent starts of one service: exactly one runs, the others
#	exit 69 saying "already exists".
_sk_check_same_name()
{
	local _n _i _err _done _lost _st _pids

	_n=$1
	_sk_same_want=$((_n - 1))
	_pids=""
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		{
			"$_sk_exec" -q soak_same -- /bin/sh -c 'sleep 1000' "$_sk_mark" \
			    </dev/null >/dev/null 2>"$_sk_work/same.err.$_i"
			echo "$?" > "$_sk_work/same.st.$_i.tmp"
			mv "$_sk_work/same.st.$_i.tmp" "$_sk_work/same.st.$_i"
		} &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	# _sk_losers_done: all but one starter have finished.
	# shellcheck disable=SC2317 # called through _sb_wait_for
	_sk_losers_done()
	{
		[ "$(find "$_sk_work" -name 'same.st.*' ! -name '*.tmp' | wc -l)" -ge "$_sk_same_want" ]
	}
	_err=""
	_sb_wait_for _sk_losers_done 300 ||
	    _err="after 30 s only $(find "$_sk_work" -name 'same.st.*' ! -name '*.tmp' | wc -l) of $_n starters finished"
	_sk_registered svcj-soak_same || _err="${_err:-no jail svcj-soak_same runs}"
	_done=0
	_lost=0
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		if [ -f "$_sk_work/same.st.$_i" ]; then
			_done=$((_done + 1))
			_st=$(cat "$_sk_work/same.st.$_i")
			if [ "$_st" -eq 69 ] && grep -q "already exists" "$_sk_work/same.err.$_i"; then
				_lost=$((_lost + 1))
			elif [ -z "$_err" ]; then
				_err="starter $_i exited $_st: $(cat "$_sk_work/same.err.$_i")"
			fi
		fi
		_i=$((_i + 1))
	done
	[ -z "$_err" ] && [ "$_lost" -ne $((_n - 1)) ] &&
	    _err="$_lost of $_n starters refused, want $((_n - 1))"
	"$_sk_kill" -q -t 2 svcj-soak_same
	# shellcheck disable=SC2086 # deliberate word list
	_sk_reap $_pids || _err="${_err:-the winner still ran 10 s after svcj-kill}"
	_st=$(_sk_leftovers)
	[ -z "$_err" ] && [ -n "$_st" ] && _err="left over: $(echo "$_st" | tr '\n' ';')"
	[ -z "$_err" ]
	_sk_result "same-name: $_n concurrent starts of one service, $_lost refused with 69" $? "$_err"
}

# _sk_check_rc_cycles count
#	count start/stop cycles of a jailed rc.d service in the rc test
#	root (the scenario checks what is left; see its header).
_sk_check_rc_cycles()
{
	local _out _st

	if [ ! -f tests/rc/run.sh ] || [ ! -f rc.subr.d/svcj-tools.sh ]; then
		_sk_result "rc cycles: the rc test root and the shims are in the tree" 1 \
		    "tests/rc/run.sh or rc.subr.d/svcj-tools.sh missing"
		return
	fi
	_out=$(SVCJ_TEST_BINDIR=$_sk_bin SVCJ_TEST_NO_BUILD=1 sh tests/rc/run.sh \
	    -t $(($1 + 60)) -d bench -e "SVCJ_SOAK_CYCLES=$1" soak_rc_cycles 2>&1)
	_st=$?
	if [ "$_st" -eq 0 ] && echo "$_out" | grep -q '^ok soak_rc_cycles'; then
		_sk_result "rc cycles: $1 start/stop cycles of a jailed rc.d service leave nothing behind" 0
	else
		echo "$_out" | sed 's/^/# /'
		_sk_result "rc cycles: $1 start/stop cycles of a jailed rc.d service leave nothing behind" 1 \
		    "$(echo "$_out" | grep -m 1 '^FAIL\|^skip' || echo "run.sh exited $_st")"
	fi
}

_sk_t0=$(_sb_now_ms)
# The backend must work at all before anything else means something.
if ! _sk_out=$("$_sk_exec" -q soak_probe -- /bin/true 2>&1); then
	_sk_result "probe: svcj-exec creates a jail" 1 "$_sk_out"
else
	_sk_result "probe: svcj-exec creates a jail" 0
	_sk_check_cycles "$_sk_cycles"
	_sk_check_sigkill "$_sk_rounds"
	_sk_check_stages
	_sk_check_concurrent 50
	_sk_check_same_name 10
	_sk_check_rc_cycles "$_sk_rccycles"
fi
echo "# took $(( ($(_sb_now_ms) - _sk_t0) / 1000 )) s"
echo "soak: $_sk_passed passed, $_sk_failed failed"
[ "$_sk_failed" -eq 0 ]
