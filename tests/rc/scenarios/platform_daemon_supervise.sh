# daemon(8) with a supervisor: -P writes the supervisor's pid, -p the
# child's, -r restarts the child when it dies, SIGTERM to the supervisor
# stops both and removes the pidfiles; -u runs the child as a user; -o
# appends its output to a file.

# shellcheck disable=SC2016 # expanded by the child
expect_exit 0 daemon -r -R 1 -P /var/run/sup.pid -p /var/run/child.pid \
    -u svcjtest -o /var/log/child.log /bin/sh -c 'echo "child $(id -u)"; exec sleep 600'
sup=$(pid_from_file /var/run/sup.pid) || fail "no supervisor pidfile"
child=$(pid_from_file /var/run/child.pid) || fail "no child pidfile"
assert_alive "$sup"
assert_alive "$child"
[ "$sup" != "$child" ] || fail "supervisor and child have one pid"
wait_until grep -q '^child 4242$' /var/log/child.log ||
    fail "the child's output is not in /var/log/child.log: $(cat /var/log/child.log)"

# -r: a dead child is restarted (new pid in the pidfile).
kill -KILL "$child"
wait_gone "$child"
# shellcheck disable=SC2317 # called through wait_until
_new_child() { _c=$(pid_from_file /var/run/child.pid) && [ "$_c" != "$child" ] && is_alive "$_c"; }
wait_until _new_child || fail "the child was not restarted"
child2=$(pid_from_file /var/run/child.pid)

# SIGTERM to the supervisor: the child ends, both pidfiles go.
kill -TERM "$sup"
wait_gone "$sup"
wait_gone "$child2"
assert_no_file /var/run/sup.pid
assert_no_file /var/run/child.pid
