#!/bin/sh
#
# run.sh - run the rc-level scenarios of svcj-tools in throwaway roots.
#
# run.sh [-kv] [-d dir] [-e name=value]... [-o dir] [-s dash|ash]
#        [-t seconds] [scenario ...]
#
# Each scenario (tests/rc/scenarios/NAME.sh, or the names given) runs in
# its own root: a private mount and PID namespace, chroot into a fresh
# directory with FreeBSD commands (tests/rc/fakes) at FreeBSD paths, the
# shell under test as /bin/sh, the rc.subr under test as /etc/rc.subr
# ($SVCJ_TEST_RC_SUBR, default tests/rc/fixture/rc.subr), and the project's
# binaries, shims and hook under /usr/local.  See tests/rc/README.md.
#
#	-d dir		take the scenarios from tests/rc/dir (default scenarios)
#	-e name=value	set name in the scenarios' environment (repeatable)
#	-o dir		bind the host directory dir, writable, at /svcj-test-out
#			in each root (to carry results out, e.g. benchmarks)
#	-s shell	dash (default) or ash (busybox ash)
#	-t seconds	per-scenario time limit (default 60)
#	-k		keep the temporary directory (printed) for inspection
#	-v		print the output of passing scenarios too
#
# Output: one line per scenario ("ok NAME", "FAIL NAME: reason" followed
# by the scenario's output, "skip NAME: reason"), then
# "rc-scenarios (SHELL): N passed, N failed, N skipped".  Exit 1 if any
# scenario failed, 64 on bad usage, 69 if a required tool is missing.
#
# Environment: SVCJ_TEST_RC_SUBR (rc.subr to test), SVCJ_TEST_BINDIR
# (directory holding svcj-exec, svcj-kill, svcj-check; default
# target/debug, built with "cargo build" first unless SVCJ_TEST_NO_BUILD
# is set).

_rt_here=$(cd "$(dirname "$0")" && pwd)
_rt_repo=$(cd "$_rt_here/../.." && pwd)

#
# _rt_usage
#	Print the usage message and exit 64.
#
_rt_usage()
{
	echo "usage: run.sh [-kv] [-d dir] [-e name=value]... [-o dir] [-s dash|ash] [-t seconds] [scenario ...]" >&2
	exit 64
}

#
# _rt_die status message
#	Print message on stderr and exit with status.
#
_rt_die()
{
	local _rt_x

	_rt_x=$1
	shift
	echo "run.sh: $*" >&2
	exit "$_rt_x"
}

_rt_shell=dash
_rt_keep=
_rt_verbose=
_rt_timeout=60
_rt_sdir=scenarios
_rt_out=-
_rt_env=
while getopts 'd:e:ko:s:t:v' _rt_opt; do
	case "$_rt_opt" in
	d)	_rt_sdir=$OPTARG ;;
	e)
		case "$OPTARG" in
		[A-Za-z_]*=*)	;;
		*)	_rt_die 64 "-e $OPTARG: not name=value" ;;
		esac
		case "${OPTARG%%=*}" in
		*[!A-Za-z0-9_]*)	_rt_die 64 "-e $OPTARG: not name=value" ;;
		esac
		_rt_env="$_rt_env $(printf '%s' "$OPTARG" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
		;;
	o)
		[ -d "$OPTARG" ] || _rt_die 66 "-o $OPTARG: no such directory"
		_rt_out=$(cd "$OPTARG" && pwd)
		;;
	k)	_rt_keep=1 ;;
	s)	_rt_shell=$OPTARG ;;
	t)	_rt_timeout=$OPTARG ;;
	v)	_rt_verbose=1 ;;
	*)	_rt_usage ;;
	esac
done
shift $((OPTIND - 1))

case "$_rt_shell" in
dash)	_rt_shbin=/usr/bin/dash ;;
ash)	_rt_shbin=/usr/bin/busybox ;;
*)	_rt_die 64 "-s $_rt_shell: unknown shell (use dash or ash)" ;;
esac
case "$_rt_sdir" in
''|*[!A-Za-z0-9_-]*)
	_rt_die 64 "-d $_rt_sdir: not a directory name of tests/rc"
	;;
esac
[ -d "$_rt_here/$_rt_sdir" ] || _rt_die 66 "-d $_rt_sdir: no directory tests/rc/$_rt_sdir"
case "$_rt_timeout" in
''|*[!0-9]*|0)	_rt_die 64 "-t $_rt_timeout: not a positive number of seconds" ;;
esac

# The scenario list.
_rt_list=
if [ $# -eq 0 ]; then
	for _rt_f in "$_rt_here/$_rt_sdir"/*.sh; do
		[ -f "$_rt_f" ] || continue
		_rt_n=${_rt_f##*/}
		_rt_list="$_rt_list ${_rt_n%.sh}"
	done
else
	for _rt_n in "$@"; do
		_rt_n=${_rt_n##*/}
		_rt_n=${_rt_n%.sh}
		case "$_rt_n" in
		''|*[!A-Za-z0-9_-]*)
			_rt_die 64 "$_rt_n: not a scenario name (letters, digits, _ and -)"
			;;
		esac
		[ -f "$_rt_here/$_rt_sdir/$_rt_n.sh" ] ||
		    _rt_die 66 "$_rt_n: no such scenario (tests/rc/$_rt_sdir/$_rt_n.sh)"
		_rt_list="$_rt_list $_rt_n"
	done
fi

_rt_pass=0
_rt_fail=0
_rt_skip=0

#
# _rt_summary
#	Print the closing line and exit with the suite's status.
#
_rt_summary()
{
	echo "rc-scenarios ($_rt_shell): $_rt_pass passed, $_rt_fail failed, $_rt_skip skipped"
	[ "$_rt_fail" -eq 0 ]
	exit $?
}

#
# _rt_skip_all reason
#	Report every scenario as skipped and exit.
#
_rt_skip_all()
{
	for _rt_n in $_rt_list; do
		echo "skip $_rt_n: $1"
		_rt_skip=$((_rt_skip + 1))
	done
	_rt_summary
}

if [ "$(id -u)" != 0 ]; then
	_rt_skip_all "needs root (private namespaces, chroot, mounts)"
fi

for _rt_tool in unshare chroot timeout mount setsid setpriv "$_rt_shbin"; do
	command -v "$_rt_tool" >/dev/null 2>&1 ||
	    _rt_die 69 "$_rt_tool not found: install it (Debian: apt-get install util-linux coreutils dash busybox)"
done
grep -qw overlay /proc/filesystems ||
    modprobe overlay 2>/dev/null ||
    _rt_die 69 "the kernel has no overlay file system (needed for the fake commands)"

_rt_rcsubr=${SVCJ_TEST_RC_SUBR:-$_rt_here/fixture/rc.subr}
[ -r "$_rt_rcsubr" ] ||
    _rt_die 66 "SVCJ_TEST_RC_SUBR=$_rt_rcsubr: cannot read it"

# The project's binaries.
_rt_bindir=${SVCJ_TEST_BINDIR:-$_rt_repo/target/debug}
if [ -z "${SVCJ_TEST_BINDIR:-}" ] && [ -z "${SVCJ_TEST_NO_BUILD:-}" ] &&
    command -v cargo >/dev/null 2>&1; then
	(cd "$_rt_repo" && cargo build --quiet --bins) ||
	    echo "run.sh: warning: cargo build failed; scenarios needing svcj-exec may skip" >&2
fi

_rt_tmp=$(mktemp -d /tmp/svcj-rc.XXXXXX) ||
    _rt_die 73 "cannot create a temporary directory under /tmp"

# shellcheck disable=SC2317 # called from the EXIT trap
#
# _rt_cleanup
#	Remove the temporary directory, unless -k, and only if no mount is
#	left under it in this mount namespace.
#
_rt_cleanup()
{
	if [ -n "$_rt_keep" ]; then
		echo "run.sh: kept $_rt_tmp" >&2
		return 0
	fi
	if grep -q " $_rt_tmp/" /proc/self/mountinfo; then
		echo "run.sh: warning: mounts left under $_rt_tmp; not removing it" >&2
		return 0
	fi
	rm -rf "$_rt_tmp"
}
trap '_rt_cleanup' EXIT
trap 'exit 130' INT TERM HUP

# The static parts, built once per run.
#   bin/		svcj-* binaries (read-only at /usr/local/sbin)
#   shims/		shims/* (read-only at /usr/local/share/svcj-tools)
#   fbsd/bin, fbsd/sbin	FreeBSD's /bin and /sbin (see _rt_fbsd_dir)
#   fbsd/usr.bin, fbsd/usr.sbin
#			the top layers of the /usr/bin and /usr/sbin overlays
#   hostbin/		host tools the fakes need under a name of their own
#			(read-only at /svcj-test-bin)
#   base/		the writable skeleton copied for each scenario
#   local/		the writable /usr/local skeleton copied for each scenario
mkdir -p "$_rt_tmp/bin" "$_rt_tmp/shims" "$_rt_tmp/hostbin" || exit 73
for _rt_b in svcj-exec svcj-kill svcj-check; do
	if [ -x "$_rt_bindir/$_rt_b" ]; then
		cp "$_rt_bindir/$_rt_b" "$_rt_tmp/bin/$_rt_b"
	fi
done
if [ -d "$_rt_repo/shims" ]; then
	for _rt_f in "$_rt_repo"/shims/*; do
		[ -f "$_rt_f" ] && cp "$_rt_f" "$_rt_tmp/shims/"
	done
fi
# The host's env(1), for the env fake (Debian's env has no -L).
cp "$(command -v env)" "$_rt_tmp/hostbin/env" ||
    _rt_die 69 "cannot copy the host's env(1)"

# FreeBSD's split of the command directories (hier(7)): what lives in
# /bin and /sbin there is not in /usr/bin or /usr/sbin, and the other way
# round, so that a wrong absolute path (/bin/jls, /usr/bin/sysctl) fails
# in the test root as it does on FreeBSD.  The names are FreeBSD's
# (bin/, sbin/, usr.sbin/ of the source tree).
_rt_fbsd_bin='[ cat chflags chmod cp cpuset csh date dd df domainname echo
    ed expr freebsd-version getfacl hostname kenv kill link ln ls mkdir mv
    nproc pax pgrep pkill ps pwait pwd realpath rm rmdir setfacl sh sleep
    stty sync tcsh test unlink uuidgen'
_rt_fbsd_sbin='bectl camcontrol devd devfs dhclient dmesg dumpon fsck
    ifconfig init ipfw kldload kldstat kldunload ldconfig md5 mdconfig
    mount mount_nullfs newfs pfctl ping ping6 rcorder reboot route
    savecore shutdown swapoff swapon sysctl umount zfs zpool'
_rt_fbsd_usrsbin='chroot cron daemon jail jexec jls pw service setfib
    sshd syslogd sysrc'

#
# _rt_fbsd_dir dir names...
#	Make dir and copy into it, for each name, the host's command of
#	that name (from /usr/bin, /usr/sbin, /bin or /sbin), if any.
#
_rt_fbsd_dir()
{
	local _rt_d _rt_c _rt_p

	_rt_d=$1
	shift
	mkdir -p "$_rt_d" || return 1
	for _rt_c; do
		for _rt_p in /usr/bin /usr/sbin /bin /sbin; do
			if [ -f "$_rt_p/$_rt_c" ] && [ -x "$_rt_p/$_rt_c" ]; then
				cp "$_rt_p/$_rt_c" "$_rt_d/$_rt_c" || return 1
				break
			fi
		done
	done
}

#
# _rt_whiteout dir names...
#	Make dir an overlay layer that hides, for each name, the same name
#	in the layers below it (a whiteout: a 0/0 character device).
#
_rt_whiteout()
{
	local _rt_d _rt_c

	_rt_d=$1
	shift
	mkdir -p "$_rt_d" || return 1
	for _rt_c; do
		[ -e "$_rt_d/$_rt_c" ] && continue
		mknod "$_rt_d/$_rt_c" c 0 0 || return 1
	done
}

# shellcheck disable=SC2086 # name lists
(
	_rt_fbsd_dir "$_rt_tmp/fbsd/bin" $_rt_fbsd_bin &&
	cp "$_rt_shbin" "$_rt_tmp/fbsd/bin/sh" &&
	cp "$_rt_here"/fakes/bin/* "$_rt_tmp/fbsd/bin/" &&
	_rt_fbsd_dir "$_rt_tmp/fbsd/sbin" $_rt_fbsd_sbin &&
	cp "$_rt_here"/fakes/sbin/* "$_rt_tmp/fbsd/sbin/" &&
	_rt_whiteout "$_rt_tmp/fbsd/usr.bin" $_rt_fbsd_bin $_rt_fbsd_sbin \
	    $_rt_fbsd_usrsbin &&
	cp "$_rt_here"/fakes/usr.bin/* "$_rt_tmp/fbsd/usr.bin/" &&
	_rt_whiteout "$_rt_tmp/fbsd/usr.sbin" $_rt_fbsd_bin $_rt_fbsd_sbin &&
	cp "$_rt_here"/fakes/usr.sbin/* "$_rt_tmp/fbsd/usr.sbin/"
) || _rt_die 73 "cannot build FreeBSD's command directories in $_rt_tmp/fbsd"

_rt_base=$_rt_tmp/base
mkdir -p "$_rt_base" || exit 73
(
	cd "$_rt_base" || exit 1
	mkdir -p etc/defaults etc/rc.d etc/rc.conf.d var/run var/log \
	    var/db/svcj-test var/empty run tmp root usr proc dev svcj-test \
	    svcj-test-out svcj-test-bin bin sbin var/run/svcj-test-proctitle
	chmod 1777 tmp var/run/svcj-test-proctitle
	chmod 700 root
	ln -s usr/lib lib
	if [ -d /usr/lib64 ]; then
		ln -s usr/lib64 lib64
	fi
	# root's login shell is /bin/sh, as on FreeBSD 14 (su -m runs it).
	sed 's@^\(root:[^:]*:0:[^:]*:[^:]*:[^:]*\):.*@\1:/bin/sh@' /etc/passwd > etc/passwd
	cp /etc/group etc/
	cp "$_rt_here/fixture/login.conf" etc/login.conf
	[ -d /etc/alternatives ] && cp -a /etc/alternatives etc/
	grep -q '^svcjtest:' etc/passwd ||
	    echo 'svcjtest:x:4242:4242:svcj-tools test user:/nonexistent:/usr/sbin/nologin' >> etc/passwd
	grep -q '^svcjtest:' etc/group || echo 'svcjtest:x:4242:' >> etc/group
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > etc/nsswitch.conf
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > etc/hosts
	printf '/bin/sh\n' > etc/shells
	for _rt_f in services protocols; do
		[ -r "/etc/$_rt_f" ] && cp "/etc/$_rt_f" etc/
	done
	cp "$_rt_rcsubr" etc/rc.subr
	cp "$_rt_here/fixture/defaults.rc.conf" etc/defaults/rc.conf
	cp "$_rt_here/fixture/rc" etc/rc
	: > etc/rc.conf
	printf '%s\n' 'security.jail.jailed=0' \
	    'security.jail.children.max=999999' \
	    'security.jail.children.cur=0' > etc/svcj-test-sysctl.conf
	: > var/log/messages
) || _rt_die 73 "cannot build the root skeleton in $_rt_base"

_rt_local=$_rt_tmp/local
mkdir -p "$_rt_local/sbin" "$_rt_local/bin" "$_rt_local/share/svcj-tools" \
    "$_rt_local/etc/rc.d" "$_rt_local/etc/rc.conf.d" \
    "$_rt_local/etc/rc.subr.d" || exit 73
if [ -f "$_rt_repo/rc.subr.d/svcj-tools.sh" ]; then
	cp "$_rt_repo/rc.subr.d/svcj-tools.sh" "$_rt_local/etc/rc.subr.d/"
fi

echo "rc-scenarios ($_rt_shell): rc.subr $_rt_rcsubr, binaries $_rt_bindir"

_rt_i=0
for _rt_n in $_rt_list; do
	_rt_i=$((_rt_i + 1))
	_rt_t=$_rt_tmp/s$_rt_i
	mkdir -p "$_rt_t" || exit 73
	cp -a "$_rt_base" "$_rt_t/root" || exit 73
	cp -a "$_rt_local" "$_rt_t/local" || exit 73
	: > "$_rt_t/out"
	eval "timeout -s KILL \$((_rt_timeout + 30)) \
	    unshare --mount --propagation private --pid --net --fork --kill-child \
	    /usr/bin/dash \"\$_rt_here/lib/enter.sh\" \"\$_rt_tmp\" \"\$_rt_t\" \
	    \"\$_rt_here\" \"\$_rt_shell\" \"\$_rt_timeout\" \"\$_rt_sdir/\$_rt_n\" \
	    \"\$_rt_out\" $_rt_env > \"\$_rt_t/out\" 2>&1 < /dev/null"
	_rt_st=$?
	_rt_reason=
	[ -r "$_rt_t/root/var/db/svcj-test/reason" ] &&
	    _rt_reason=$(cat "$_rt_t/root/var/db/svcj-test/reason")
	[ -r "$_rt_t/status" ] && _rt_st=$(cat "$_rt_t/status")
	case "$_rt_st" in
	0)
		echo "ok $_rt_n"
		_rt_pass=$((_rt_pass + 1))
		if [ -n "$_rt_verbose" ]; then
			sed 's/^/    /' "$_rt_t/out"
		fi
		;;
	77)
		echo "skip $_rt_n: ${_rt_reason:-no reason given}"
		_rt_skip=$((_rt_skip + 1))
		;;
	timeout)
		echo "FAIL $_rt_n: timed out after $_rt_timeout s (killed)"
		_rt_fail=$((_rt_fail + 1))
		sed 's/^/    /' "$_rt_t/out"
		;;
	*)
		echo "FAIL $_rt_n: ${_rt_reason:-exit status $_rt_st}"
		_rt_fail=$((_rt_fail + 1))
		sed 's/^/    /' "$_rt_t/out"
		;;
	esac
	if [ -z "$_rt_keep" ]; then
		if grep -q " $_rt_t/" /proc/self/mountinfo; then
			echo "run.sh: warning: mounts left under $_rt_t; not removing it" >&2
		else
			rm -rf "$_rt_t"
		fi
	fi
done

_rt_summary
