# assert.sh - the scenario API of the rc-level tests.
#
# Sourced by harness.sh inside the test root, before the scenario.  Public
# functions have plain names (documented in tests/rc/README.md); private
# ones start with _st_.  Call assertions at the top level of a scenario
# or in a function it calls, never in a subshell: fail and skip exit the
# shell they run in.

_st_dir=/var/db/svcj-test
ST_OUT=$_st_dir/stdout
ST_ERR=$_st_dir/stderr
ST_STATUS=
ST_WAIT_TRIES=${ST_WAIT_TRIES:-100}

#
# fail message...
#	Record message as the reason of the failure and exit 1.
#
fail()
{
	printf '%s\n' "$*" > "$_st_dir/reason"
	echo "FAIL: $*" >&2
	exit 1
}

#
# skip message...
#	Record message as the reason for skipping and exit 77.
#
skip()
{
	printf '%s\n' "$*" > "$_st_dir/reason"
	echo "skip: $*" >&2
	exit 77
}

#
# note message...
#	Print a progress line into the scenario's output.
#
note()
{
	echo "# $*"
}

#
# _st_show
#	Print the captured stdout and stderr of the last run.
#
_st_show()
{
	echo "--- stdout of: $_st_last"
	cat "$ST_OUT" 2>/dev/null
	echo "--- stderr:"
	cat "$ST_ERR" 2>/dev/null
	echo "---"
}

#
# run command [arg...]
#	Run command with stdout and stderr captured in $ST_OUT and
#	$ST_ERR (files, so daemons may keep them open), status in
#	$ST_STATUS.  Never fails.
#
run()
{
	_st_last="$*"
	"$@" > "$ST_OUT" 2> "$ST_ERR"
	ST_STATUS=$?
	note "ran: $* (exit $ST_STATUS)"
	return 0
}

#
# show command [arg...]
#	Print "$ command", then run it with its output in the scenario's
#	output (for demonstrations).  Returns its status.
#
show()
{
	echo "\$ $*"
	"$@" 2>&1
}

#
# expect_exit status command [arg...]
#	Run command (see run); fail unless it exits with status.
#
expect_exit()
{
	local _st_want

	_st_want=$1
	shift
	run "$@"
	if [ "$ST_STATUS" != "$_st_want" ]; then
		_st_show
		fail "'$*' exited $ST_STATUS, expected $_st_want"
	fi
}

#
# expect_exit_nonzero command [arg...]
#	Run command (see run); fail if it exits 0.
#
expect_exit_nonzero()
{
	run "$@"
	if [ "$ST_STATUS" = 0 ]; then
		_st_show
		fail "'$*' exited 0, expected a failure"
	fi
}

#
# _st_match file what regex
#	Fail unless a line of file matches the extended regex.
#
_st_match()
{
	if ! grep -Eq -- "$3" "$1"; then
		_st_show
		fail "$2 of '$_st_last' does not match /$3/"
	fi
}

#
# _st_nomatch file what regex
#	Fail if a line of file matches the extended regex.
#
_st_nomatch()
{
	if grep -Eq -- "$3" "$1"; then
		_st_show
		fail "$2 of '$_st_last' matches /$3/"
	fi
}

#
# expect_stdout_match regex
#	Fail unless a line of the last run's stdout matches regex (ERE).
#
expect_stdout_match()
{
	_st_match "$ST_OUT" stdout "$1"
}

#
# expect_stderr_match regex
#	Fail unless a line of the last run's stderr matches regex (ERE).
#
expect_stderr_match()
{
	_st_match "$ST_ERR" stderr "$1"
}

#
# expect_stdout_nomatch regex
#	Fail if a line of the last run's stdout matches regex (ERE).
#
expect_stdout_nomatch()
{
	_st_nomatch "$ST_OUT" stdout "$1"
}

#
# expect_stderr_nomatch regex
#	Fail if a line of the last run's stderr matches regex (ERE).
#
expect_stderr_nomatch()
{
	_st_nomatch "$ST_ERR" stderr "$1"
}

#
# expect_stdout_equals text
#	Fail unless the last run's stdout is exactly text (plus a final
#	newline, or nothing if text is empty).
#
expect_stdout_equals()
{
	local _st_got

	_st_got=$(cat "$ST_OUT")
	if [ "$_st_got" != "$1" ]; then
		_st_show
		fail "stdout of '$_st_last' is '$_st_got', expected '$1'"
	fi
}

#
# expect_stderr_empty
#	Fail unless the last run wrote nothing on stderr.
#
expect_stderr_empty()
{
	if [ -s "$ST_ERR" ]; then
		_st_show
		fail "stderr of '$_st_last' is not empty"
	fi
}

#
# stdout_of_last
#	Print the last run's stdout.
#
stdout_of_last()
{
	cat "$ST_OUT"
}

#
# assert_eq got want what
#	Fail unless got equals want; what names the value in the message.
#
assert_eq()
{
	if [ "$1" != "$2" ]; then
		fail "${3:-value} is '$1', expected '$2'"
	fi
}

#
# assert_file path / assert_no_file path
#	Fail unless path exists / if it exists.
#
assert_file()
{
	[ -e "$1" ] || fail "$1 does not exist"
}

assert_no_file()
{
	[ ! -e "$1" ] || fail "$1 exists"
}

#
# is_alive pid
#	True if pid exists and is not a zombie.
#
is_alive()
{
	local _st_line

	case "$1" in
	''|*[!0-9]*)	return 1 ;;
	esac
	kill -0 "$1" 2>/dev/null || return 1
	read -r _st_line < "/proc/$1/stat" 2>/dev/null || return 1
	_st_line=${_st_line##*) }
	case "$_st_line" in
	Z*|X*)	return 1 ;;
	esac
	return 0
}

#
# assert_alive pid / assert_gone pid
#	Fail unless pid is a live process / if it is (a zombie is gone).
#
assert_alive()
{
	is_alive "$1" || fail "process '$1' is not alive"
}

assert_gone()
{
	case "$1" in
	''|*[!0-9]*)	fail "assert_gone: '$1' is not a pid" ;;
	esac
	! is_alive "$1" || fail "process $1 ($(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)) is still alive"
}

#
# jail_exists jail
#	True if jls knows jail (name or JID).
#
jail_exists()
{
	jls -j "$1" jid >/dev/null 2>&1
}

#
# assert_jail jail / assert_no_jail jail
#	Fail unless the jail (name such as svcj-foo, or JID) exists / if it
#	exists.
#
assert_jail()
{
	jail_exists "$1" || fail "jail $1 does not exist (jls: $(jls 2>&1 | tr '\n' ' '))"
}

assert_no_jail()
{
	! jail_exists "$1" || fail "jail $1 exists (jid $(jls -j "$1" jid 2>/dev/null))"
}

#
# jid_of_jail jail
#	Print the JID of jail (empty and status 1 if it does not exist).
#
jid_of_jail()
{
	jls -j "$1" jid 2>/dev/null
}

#
# jid_of_pid pid
#	Print the jid column of ps(1) for pid, as the caller sees it (0:
#	the caller's own jail).  Status 1 if the process does not exist.
#
jid_of_pid()
{
	local _st_l

	_st_l=$(ps -o jid= -p "$1" 2>/dev/null) || return 1
	# shellcheck disable=SC2086 # strip blanks
	echo $_st_l
}

#
# pids_in_jail jail
#	Print the pids of the processes in jail, one a line.
#
pids_in_jail()
{
	local _st_j

	_st_j=$(jid_of_jail "$1") || return 1
	ps -ax -o pid= -J "$_st_j" | while read -r _st_p; do
		echo "$_st_p"
	done
}

#
# pid_from_file file
#	Print the first word of file (a pidfile); status 1 if none.  A
#	pidfile that exists but is still empty is waited for (bounded, as
#	wait_until): daemon(8) creates and locks it before it returns, and
#	its child writes the pid a moment later, on FreeBSD as here.
#
pid_from_file()
{
	local _st_p _st_rest _st_i

	[ -r "$1" ] || return 1
	_st_i=0
	while [ ! -s "$1" ] && [ -e "$1" ] &&
	    [ "$_st_i" -lt "${ST_WAIT_TRIES:-100}" ]; do
		sleep 0.1
		_st_i=$((_st_i + 1))
	done
	[ -r "$1" ] || return 1
	_st_p=
	read -r _st_p _st_rest < "$1" || [ -n "$_st_p" ] || return 1
	case "$_st_p" in
	''|*[!0-9]*)	return 1 ;;
	esac
	echo "$_st_p"
}

#
# wait_until command [arg...]
#	Run command every 0.1 s until it succeeds, at most $ST_WAIT_TRIES
#	times (default 100).  Returns 1 if it never succeeded.
#
wait_until()
{
	local _st_i

	_st_i=0
	while [ "$_st_i" -lt "$ST_WAIT_TRIES" ]; do
		"$@" && return 0
		sleep 0.1
		_st_i=$((_st_i + 1))
	done
	return 1
}

#
# is_gone pid
#	True if pid does not exist or is a zombie.
#
is_gone()
{
	! is_alive "$1"
}

#
# wait_gone pid
#	Wait (bounded, see wait_until) until pid is gone; fail if it
#	is not.
#
wait_gone()
{
	wait_until is_gone "$1" || fail "process $1 did not exit"
}

#
# write_rc_script [-b] name
#	Write stdin to /usr/local/etc/rc.d/name (-b: /etc/rc.d/name),
#	executable.
#
write_rc_script()
{
	local _st_d

	_st_d=/usr/local/etc/rc.d
	if [ "$1" = -b ]; then
		_st_d=/etc/rc.d
		shift
	fi
	cat > "$_st_d/$1" || fail "cannot write $_st_d/$1"
	chmod 755 "$_st_d/$1"
}

#
# _st_quote value
#	Print value double-quoted for an rc.conf line.
#
_st_quote()
{
	printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"$`]/\\&/g')"
}

#
# _st_conf_set file var value
#	Set var="value" in file (replacing an earlier setting of var).
#
_st_conf_set()
{
	case "$2" in
	''|[0-9]*|*[!A-Za-z0-9_]*)	fail "_st_conf_set: '$2' is not a variable name" ;;
	esac
	mkdir -p "${1%/*}"
	if [ -f "$1" ]; then
		grep -v "^$2=" "$1" > "$1.new"
		mv -f "$1.new" "$1"
	fi
	printf '%s=%s\n' "$2" "$(_st_quote "$3")" >> "$1"
}

#
# rc_conf_set var value
#	Set var="value" in /etc/rc.conf.
#
rc_conf_set()
{
	_st_conf_set /etc/rc.conf "$1" "$2"
}

#
# rcconf_d_set name var value
#	Set var="value" in /etc/rc.conf.d/name.
#
rcconf_d_set()
{
	_st_conf_set "/etc/rc.conf.d/$1" "$2" "$3"
}

#
# sysctl_set name value
#	Make sysctl(8) (and the Rust tools, through SVCJ_SYSCTL_FILE) see
#	value for name.
#
sysctl_set()
{
	local _st_f

	_st_f=/etc/svcj-test-sysctl.conf
	grep -v "^$1=" "$_st_f" > "$_st_f.new"
	mv -f "$_st_f.new" "$_st_f"
	printf '%s=%s\n' "$1" "$2" >> "$_st_f"
}

#
# rc_hook_place
#	Print the file the hook line belongs in for this rc.subr, as
#	`svcj-check preflight` tells an admin: /etc/local.rc.subr when
#	/etc/rc.subr reads it, else /etc/rc.conf.  Without svcj-check the
#	same rule is applied here.
#
rc_hook_place()
{
	local _st_out

	if [ -x /usr/local/sbin/svcj-check ]; then
		_st_out=$(/usr/local/sbin/svcj-check preflight 2>&1 |
		    awk '/^[A-Z]+ +hook sourced:/ { p = 1 }
			/^[A-Z]+ / && !/hook sourced:/ { p = 0 }
			p' | tr '\n' ' ' | tr -s ' ')
		case "$_st_out" in
		*"to /etc/local.rc.subr"*|*"/etc/local.rc.subr sources"*)
			echo /etc/local.rc.subr
			return 0
			;;
		*"end of /etc/rc.conf"*|*"/etc/rc.conf sources"*)
			echo /etc/rc.conf
			return 0
			;;
		esac
	fi
	if grep -v '^[[:space:]]*#' /etc/rc.subr | grep -q /etc/local.rc.subr; then
		echo /etc/local.rc.subr
	else
		echo /etc/rc.conf
	fi
}

#
# rc_hook
#	Hook the shims where `svcj-check preflight` says the hook line goes
#	for this rc.subr (rc_hook_place): the line sourcing
#	/usr/local/etc/rc.subr.d/svcj-tools.sh, appended to that file.
#
rc_hook()
{
	local _st_f

	_st_f=$(rc_hook_place) || fail "cannot tell where the hook belongs"
	echo "command . /usr/local/etc/rc.subr.d/svcj-tools.sh" >> "$_st_f"
}

#
# rc_hook_boot_safe
#	Append the boot-safe hook text svcj-tools asks an admin to add
#	(${LOCALBASE}/share/svcj-tools/local.rc.subr: it retries loading the
#	hook at call time and refuses jailed services until it loads) where
#	rc_hook_place says it goes: /etc/local.rc.subr, or /etc/rc.conf on an
#	rc.subr that never reads local.rc.subr.  Prints that file.
#
rc_hook_boot_safe()
{
	local _st_f _st_s

	_st_s=/usr/local/share/svcj-tools/local.rc.subr
	[ -r "$_st_s" ] || fail "$_st_s is not installed"
	_st_f=$(rc_hook_place) || fail "cannot tell where the hook belongs"
	cat "$_st_s" >> "$_st_f" || fail "cannot append to $_st_f"
	echo "$_st_f"
}

#
# rc_hook_local_subr
#	The name the scenarios use for rc_hook: /etc/local.rc.subr on an
#	rc.subr that reads it (the fixture, 14.2 and later), /etc/rc.conf on
#	one that does not (a genuine older rc.subr given with
#	SVCJ_TEST_RC_SUBR), so that the suite never tests an unhooked
#	system by mistake.
#
rc_hook_local_subr()
{
	rc_hook
}

#
# rc_hook_rcconf
#	Hook the shims the way older rc.subr needs it: the same line at
#	the end of /etc/rc.conf.
#
rc_hook_rcconf()
{
	echo "command . /usr/local/etc/rc.subr.d/svcj-tools.sh" >> /etc/rc.conf
}

#
# rc_subr_make_old
#	Turn /etc/rc.subr into an "older rc.subr" (12.x-14.1 style) that
#	never reads /etc/local.rc.subr: every mention of that file outside
#	comments names /nonexistent/local.rc.subr instead, so only the
#	rc.conf hook (rc_hook_rcconf) can load the shims, and
#	`svcj-check preflight` sees an rc.subr without local.rc.subr.  Works
#	on the fixture and on FreeBSD's rc.subr; fails the scenario if
#	there was no such mention.
#
rc_subr_make_old()
{
	sed '/^[[:space:]]*#/!s@/etc/local\.rc\.subr@/nonexistent/local.rc.subr@g' \
	    /etc/rc.subr > /etc/rc.subr.old-style || fail "cannot rewrite /etc/rc.subr"
	if cmp -s /etc/rc.subr /etc/rc.subr.old-style; then
		rm -f /etc/rc.subr.old-style
		fail "rc_subr_make_old: /etc/rc.subr never mentions /etc/local.rc.subr"
	fi
	mv -f /etc/rc.subr.old-style /etc/rc.subr
}

#
# have_svcj_exec
#	True if svcj-exec is installed and can create a service jail here.
#
have_svcj_exec()
{
	[ -x /usr/local/sbin/svcj-exec ] || return 1
	/usr/local/sbin/svcj-exec -q svcjtestprobe -- /usr/bin/true >/dev/null 2>&1
}

#
# require_svcj_exec
#	Skip the scenario unless svcj-exec works.
#
require_svcj_exec()
{
	[ -x /usr/local/sbin/svcj-exec ] ||
	    skip "svcj-exec is not built (cargo build)"
	have_svcj_exec ||
	    skip "svcj-exec cannot create a service jail yet: $(/usr/local/sbin/svcj-exec svcjtestprobe -- /usr/bin/true 2>&1 | head -n 1)"
}

#
# require_shims
#	Skip the scenario unless the hook and svcj-exec are installed.
#
require_shims()
{
	[ -r /usr/local/etc/rc.subr.d/svcj-tools.sh ] ||
	    skip "rc.subr.d/svcj-tools.sh is not in the tree yet"
	require_svcj_exec
}

#
# rc_subr_mentions text
#	True if a line of /etc/rc.subr outside comments contains text (a
#	fixed string): how a scenario tells which generation of rc.subr it
#	runs on (e.g. "_offcmd" exists since 13.0, "status_cmd" as its own
#	keyword and the status rcvar exemption since 13.x).
#
rc_subr_mentions()
{
	grep -v '^[[:space:]]*#' /etc/rc.subr | grep -qF -- "$1"
}

#
# using_fixture_rc_subr
#	True if /etc/rc.subr is the project's fixture.
#
using_fixture_rc_subr()
{
	grep -q '_rcf_loaded' /etc/rc.subr
}
