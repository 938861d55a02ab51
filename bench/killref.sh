#!/bin/sh
#
# killref.sh - the kernel's own floor for a teardown, for bench/run.sh.
#
# Usage: sh bench/killref.sh start COUNT PIDFILE
#        sh bench/killref.sh kill PIDFILE
#
# "start" runs unshare(1) with a new PID namespace whose PID 1 (a shell)
# forks COUNT `sleep 1000`, detached, and returns once they are started;
# the pid of unshare goes to PIDFILE.  "kill" sends SIGKILL to that PID 1
# and returns when unshare has exited, which the kernel lets happen only
# after every process of the namespace is gone: the time svcj-kill cannot
# beat.

set -u

# _kr_ready file
#	Succeed when file exists.
_kr_ready()
{
	[ -f "$1" ]
}

case "${1:-}" in
start)
	[ $# -eq 3 ] || { echo "usage: killref.sh start COUNT PIDFILE" >&2; exit 64; }
	_kr_r=$3.ready
	rm -f "$_kr_r"
	setsid unshare --pid --fork --mount-proc /bin/sh -c "
		i=0
		while [ \$i -lt $2 ]; do
			sleep 1000 &
			i=\$((i + 1))
		done
		: > '$_kr_r'
		wait" </dev/null >/dev/null 2>&1 &
	echo "$!" > "$3"
	_kr_i=0
	while [ "$_kr_i" -lt 600 ] && ! _kr_ready "$_kr_r"; do
		sleep 0.1
		_kr_i=$((_kr_i + 1))
	done
	rm -f "$_kr_r"
	[ "$_kr_i" -lt 600 ]
	;;
kill)
	[ $# -eq 2 ] || { echo "usage: killref.sh kill PIDFILE" >&2; exit 64; }
	_kr_u=$(cat "$2") || exit 66
	_kr_init=$(cat "/proc/$_kr_u/task/$_kr_u/children") || exit 69
	case "$_kr_init" in
	''|*[!0-9\ ]*)	echo "killref.sh: no PID 1 under unshare $_kr_u" >&2; exit 69 ;;
	esac
	# shellcheck disable=SC2086 # one pid
	kill -KILL $_kr_init || exit 71
	# Bounded busy wait (a sleep would round the result up) until
	# unshare is gone or a zombie (its reaper may be slow to reap it).
	_kr_i=0
	while [ "$_kr_i" -lt 10000000 ]; do
		read -r _kr_st < "/proc/$_kr_u/stat" 2>/dev/null || break
		case "$_kr_st" in
		*") Z "*)	break ;;
		esac
		_kr_i=$((_kr_i + 1))
	done
	rm -f "$2"
	[ "$_kr_i" -lt 10000000 ] || { echo "killref.sh: unshare $_kr_u did not exit" >&2; exit 1; }
	;;
*)
	echo "usage: killref.sh start COUNT PIDFILE | kill PIDFILE" >&2
	exit 64
	;;
esac
