# svcj_start_stop: a service with ${name}_svcj=YES starts inside
# svcj-NAME (its daemon carries the jail's JID from outside and 0 from
# inside), status finds it on the host, and stop removes the daemon and
# the jail.

require_shims
rc_hook_local_subr
write_rc_script jss <<'RC'
#!/bin/sh
# PROVIDE: jss
. /etc/rc.subr
name=jss
rcvar=jss_enable
pidfile=/var/run/jss.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile $procname 600"
load_rc_config $name
run_rc_command "$1"
RC
rc_conf_set jss_enable YES
rc_conf_set jss_svcj YES

expect_exit 0 service jss start
expect_stdout_match '^Starting jss\.$'
assert_jail svcj-jss
jid=$(jid_of_jail svcj-jss) || fail "no JID for svcj-jss"
[ "$jid" -ne 0 ] || fail "svcj-jss has JID 0"
pid=$(pid_from_file /var/run/jss.pid) || fail "no pidfile after start"
assert_eq "$(jid_of_pid "$pid")" "$jid" "jid of the daemon from outside"
inside=$(jexec svcj-jss ps -o jid= -p "$pid" | tr -d " ")
assert_eq "$inside" 0 "jid of the daemon from inside"

expect_exit 0 service jss status
expect_stdout_match '^jss is running as pid [0-9]+\.$'

expect_exit 1 service jss start
expect_stderr_match 'jss already running\?'

expect_exit 0 service jss stop
expect_stdout_match '^Stopping jss\.$'
wait_until sh -c '! jls -j svcj-jss jid >/dev/null 2>&1' ||
    fail "svcj-jss survived stop"
assert_no_jail svcj-jss
[ -z "$(pids_in_jail svcj-jss)" ] || fail "processes left in svcj-jss"

expect_exit 1 service jss stop
expect_stderr_match 'jss not running\?'
assert_no_jail svcj-jss
