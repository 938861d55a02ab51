# Model test: the daemon fake behaves as usr.sbin/daemon/daemon.c.
# With -p a supervisor stays (it forwards SIGTERM and removes the
# pidfile); the pidfile is locked (a second daemon on it exits 3 with
# "process already running"); a command that does not exist still makes
# daemon exit 0; the child writes the pidfile after daemon returned; ps
# shows the supervisor with the title daemon.c gives it.

expect_exit 0 daemon -p /var/run/m1.pid /bin/sleep 4301
child=$(pid_from_file /var/run/m1.pid) || fail "no pid in the pidfile"
wait_until sh -c "ps -o command= -p $child | grep -q '^/bin/sleep 4301'" ||
    fail "the pidfile does not name the command"
# The supervisor: the child's parent, still there.
sup=$(ps -o ppid= -p "$child" | tr -d ' ')
[ "$sup" != 1 ] || fail "no supervisor: the child's parent is init"
assert_alive "$sup"
# Its title (daemon.c: setproctitle "%s[%d]" of the command and the
# child's pid after the fork; setproctitle(3): "daemon: " before it; ps:
# the command name in parentheses), which rc.subr 12.x's check_process
# matches as "daemon:".
wait_until sh -c "ps -ww -o command= -p $sup |
    grep -qxF 'daemon: /bin/sleep[$child] (daemon)'" ||
    fail "supervisor shows '$(ps -ww -o command= -p "$sup")'"
# The child has the default action for SIGHUP (a reload signal reaches
# it): sleep dies of it.
grep -q '^SigIgn:[[:space:]]*0*[0-9a-f]*[13579bdf]$' "/proc/$child/status" &&
    fail "the child ignores SIGHUP"
# The lock: a second daemon on the same pidfile.
expect_exit 3 daemon -p /var/run/m1.pid /bin/sleep 4302
expect_stderr_match "^daemon: process already running, pid: $child\$"
# SIGTERM to the supervisor ends the child and removes the pidfile.
kill -TERM "$sup"
wait_gone "$child"
wait_gone "$sup"
assert_no_file /var/run/m1.pid
[ -z "$(ls /var/run/svcj-test-proctitle)" ] ||
    fail "the supervisor's title outlived it"

# -t sets the title; -P (no -p) also supervises.
expect_exit 0 daemon -t "my title" -P /var/run/m4.pid /bin/sleep 4304
sup=$(pid_from_file /var/run/m4.pid) || fail "no pid in the -P pidfile"
wait_until sh -c "ps -ww -o command= -p $sup |
    grep -qx 'daemon: my title\[[0-9]*\] (daemon)'" ||
    fail "supervisor shows '$(ps -ww -o command= -p "$sup")'"
kill -TERM "$sup"
wait_gone "$sup"
# Without a supervisor nothing is titled: the command is the process.
expect_exit 0 daemon /bin/sleep 4305
wait_until sh -c "ps -ax -o command= | grep -qx '/bin/sleep 4305'" ||
    fail "no unsupervised command"

# A missing command: daemon has already detached and exits 0.
expect_exit 0 daemon /nonexistent/cmd
expect_exit 0 daemon -p /var/run/m2.pid /nonexistent/cmd
wait_until sh -c '! [ -e /var/run/m2.pid ]' ||
    fail "the supervisor of a failed child did not remove its pidfile"

# The race: daemon returns before the child wrote its pid.  The child is
# held (SVCJ_TEST_DAEMON_GATE) to show the window: the pidfile exists,
# created and locked, but is empty until the child runs on.
mkfifo /tmp/gate
SVCJ_TEST_DAEMON_GATE=/tmp/gate daemon -p /var/run/m3.pid /bin/sleep 4303 ||
    fail "daemon -p failed"
assert_file /var/run/m3.pid
[ ! -s /var/run/m3.pid ] || fail "the pidfile was written before daemon returned"
echo go > /tmp/gate
p=$(pid_from_file /var/run/m3.pid) || fail "the child never wrote its pid"
wait_until sh -c "ps -o command= -p $p | grep -q '^/bin/sleep 4303'" ||
    fail "the pidfile does not name the command"
