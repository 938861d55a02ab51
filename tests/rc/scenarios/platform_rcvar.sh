# The rcvar check: a disabled service is refused with rc.subr's message,
# one<cmd> overrides it, a bad value warns, status needs no rcvar, and
# the quiet and fast prefixes.

write_rc_script prcvar <<'RC'
#!/bin/sh
. /etc/rc.subr
name=prcvar
rcvar=prcvar_enable
pidfile=/var/run/prcvar.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile $procname 600"
load_rc_config $name
run_rc_command "$1"
RC

expect_exit 0 service prcvar start
expect_stdout_match "^Cannot 'start' prcvar\. Set prcvar_enable to YES in /etc/rc\.conf or use 'onestart' instead of 'start'\.\$"
assert_no_file /var/run/prcvar.pid

rc_conf_set prcvar_enable maybe
expect_exit 0 service prcvar start
# shellcheck disable=SC2016 # a literal $ in the regex
expect_stderr_match 'WARNING: \$prcvar_enable is not set properly - see rc\.conf\(5\)\.'
assert_no_file /var/run/prcvar.pid

expect_exit 0 service prcvar quietstart
expect_stdout_nomatch "Cannot 'start'"

rc_conf_set prcvar_enable NO
expect_exit 0 service prcvar onestart
expect_stdout_match '^Starting prcvar\.$'
pid=$(pid_from_file /var/run/prcvar.pid) || fail "no pidfile after onestart"
assert_alive "$pid"

# status needs no rcvar since 13.x; 12.x refuses it like start.
expect_exit 0 service prcvar status
if using_fixture_rc_subr || rc_subr_mentions '!= "status"'; then
	expect_stdout_match "^prcvar is running as pid $pid\.\$"
else
	expect_stdout_match "^Cannot 'status' prcvar\."
fi

expect_exit 1 service prcvar enabled
expect_exit 0 service prcvar rcvar
expect_stdout_match '^prcvar_enable="NO"$'
expect_stdout_match '^#   \(default: ""\)$'

# A running service may be stopped even when disabled.
expect_exit 0 service prcvar stop
assert_gone "$pid"

rc_conf_set prcvar_enable YES
expect_exit 0 service prcvar enabled
expect_exit 0 service prcvar faststart
pid=$(pid_from_file /var/run/prcvar.pid) || fail "no pidfile after faststart"
assert_alive "$pid"
expect_exit 0 service prcvar faststop
assert_gone "$pid"
# fast: a stop of a stopped service is silent and succeeds.
expect_exit 0 service prcvar faststop
expect_stderr_empty

expect_exit 1 service prcvar bogus
expect_stderr_match "unknown directive 'bogus'"
expect_stderr_match '^Usage: .*prcvar \[fast\|force\|one\|quiet\]\(start\|stop\|restart'
