# A plain service started through daemon(8) -p: start, status, restart,
# stop under the rc.subr under test, no service jail involved.

write_rc_script pdaemon <<'RC'
#!/bin/sh
# PROVIDE: pdaemon
. /etc/rc.subr
name=pdaemon
rcvar=pdaemon_enable
pidfile=/var/run/pdaemon.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile $procname 600"
load_rc_config $name
run_rc_command "$1"
RC
rc_conf_set pdaemon_enable YES

expect_exit 1 service pdaemon status
expect_stdout_match '^pdaemon is not running\.$'

expect_exit 0 service pdaemon start
expect_stdout_match '^Starting pdaemon\.$'
pid=$(pid_from_file /var/run/pdaemon.pid) || fail "no pidfile after start"
assert_alive "$pid"
assert_eq "$(jid_of_pid "$pid")" 0 "jid of the daemon"

expect_exit 0 service pdaemon status
expect_stdout_match "^pdaemon is running as pid $pid\.\$"

expect_exit 1 service pdaemon start
expect_stderr_match "pdaemon already running\? +\(pid=$pid\)\."

expect_exit 0 service pdaemon restart
expect_stdout_match '^Stopping pdaemon\.$'
expect_stdout_match '^Starting pdaemon\.$'
assert_gone "$pid"
pid2=$(pid_from_file /var/run/pdaemon.pid) || fail "no pidfile after restart"
[ "$pid2" != "$pid" ] || fail "restart kept pid $pid"
assert_alive "$pid2"

expect_exit 0 service pdaemon stop
expect_stdout_match '^Stopping pdaemon\.$'
assert_gone "$pid2"

expect_exit 1 service pdaemon stop
expect_stderr_match 'pdaemon not running\? \(check /var/run/pdaemon\.pid\)\.'
