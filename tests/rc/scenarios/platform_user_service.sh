# A service with <name>_user and <name>_nice: the daemon runs as that
# user (su -m) at that nice level, stop signals it as that user, and the
# pid lookup still finds it.

write_rc_script puser <<'RC'
#!/bin/sh
. /etc/rc.subr
name=puser
rcvar=puser_enable
pidfile=/tmp/puser.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile $procname 600"
load_rc_config $name
run_rc_command "$1"
RC
rc_conf_set puser_enable YES
rc_conf_set puser_user svcjtest
rc_conf_set puser_nice 7

expect_exit 0 service puser start
pid=$(pid_from_file /tmp/puser.pid) || fail "no pidfile after start"
assert_alive "$pid"
uid=$(ps -o uid= -p "$pid" | tr -d ' ')
assert_eq "$uid" 4242 "uid of the daemon"
assert_eq "$(ps -o nice= -p "$pid" | tr -d ' ')" 7 "nice level of the daemon"

expect_exit 0 service puser status
expect_stdout_match "^puser is running as pid $pid\.\$"

expect_exit 0 service puser stop
assert_gone "$pid"
