# Model test: the sysctl fake behaves as the kernel (kern_jail.c,
# FEATURE()): security.jail.jailed is 0 on the host and 1 inside a
# service jail (whatever the test file says), kern.features.inet and
# inet6 exist and can be made absent.  The pwait fake prints pwait.c's
# -v lines and -p's list.

expect_exit 0 sysctl -n security.jail.jailed
expect_stdout_equals 0
expect_exit 0 sysctl -n kern.features.inet kern.features.inet6
expect_stdout_equals "1
1"
echo '# absent: kern.features.inet6' >> /etc/svcj-test-sysctl.conf
expect_exit 1 sysctl -n kern.features.inet6
expect_stderr_match "unknown oid 'kern.features.inet6'"
if have_svcj_exec; then
	expect_exit 0 svcj-exec -q stsys -- /sbin/sysctl -n security.jail.jailed \
	    security.jail.children.max
	expect_stdout_equals "1
0"
fi

# pwait -v: exit status and signal (the targets' parent is a sleep
# that never reaps them, so the kernel keeps their status); -p: the pids
# still running.
mkfifo /tmp/go1
sh -c 'sh -c "read x < /tmp/go1; exit 3" & echo $! > /tmp/p1; exec sleep 600' &
sh -c 'sleep 600 & echo $! > /tmp/p2; exec sleep 600' &
wait_until test -s /tmp/p1 || fail "no first target"
wait_until test -s /tmp/p2 || fail "no second target"
p1=$(cat /tmp/p1)
p2=$(cat /tmp/p2)
echo go > /tmp/go1
kill -KILL "$p2"
expect_exit 0 pwait -v "$p1" "$p2"
expect_stdout_match "^$p1: exited with status 3\\.\$"
expect_stdout_match "^$p2: killed by signal 9\\.\$"
sleep 600 &
p3=$!
expect_exit 124 pwait -p -t 0.1 "$p3"
expect_stdout_equals "$p3"
expect_exit 0 pwait -o -p "$p3" 999999
expect_stdout_equals "$p3"
expect_stderr_match '^pwait: 999999: No such process$'
kill "$p3"
