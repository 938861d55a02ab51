# The root itself: /bin/sh is the shell under test, FreeBSD commands are
# at FreeBSD paths, they reject unknown flags, and the writable places
# are writable while /usr is not.

assert_eq "$(readlink /proc/$$/exe)" /bin/sh "the shell running this"
case "$SVCJ_TEST_SHELL" in
dash)	cmp -s /bin/sh /usr/bin/dash || fail "/bin/sh is not dash" ;;
ash)	cmp -s /bin/sh /usr/bin/busybox || fail "/bin/sh is not busybox" ;;
*)	fail "SVCJ_TEST_SHELL is '$SVCJ_TEST_SHELL'" ;;
esac

# Every fake says it is one and names the FreeBSD source it models.
for c in /bin/ps /bin/pwait /bin/kenv /bin/cpuset /usr/bin/limits /usr/bin/protect \
    /usr/bin/su /usr/bin/env /usr/bin/logger /sbin/sysctl /usr/sbin/jls \
    /usr/sbin/jexec /usr/sbin/service /usr/sbin/daemon /usr/sbin/jail; do
	head -n 8 "$c" | grep -q 'test root' || fail "$c is not the test root's fake"
	head -n 12 "$c" | grep -Eq '^# Models [a-z.]+/[a-z_]+/' ||
	    fail "$c does not name the FreeBSD source it models"
done

expect_exit 1 ps -Q
expect_stderr_match '^usage: ps'
expect_exit 1 jls -Q
expect_stderr_match '^usage: jls'
expect_exit 1 jexec -Q x true
expect_exit 1 service -Q
expect_exit 1 daemon -Q true
expect_exit 64 pwait -Q 1
expect_exit 1 limits -Q true
expect_exit 1 jls -j svcj-nosuch jid
expect_stderr_match '^jls: jail "svcj-nosuch" not found$'
expect_exit 1 jexec svcj-nosuch true
expect_stderr_match '^jexec: jail "svcj-nosuch" not found$'
expect_exit 1 jls nosuchparam
expect_exit 1 service nosuchservice start
expect_stdout_match 'nosuchservice does not exist'

# ps: the caller's own processes have jid 0; -p of a missing pid fails.
expect_exit 0 ps -o pid= -o jid= -o command= -p $$
expect_stdout_match "^ *$$ +0 /bin/sh "
expect_exit 1 ps -o pid= -p 999999
expect_exit 0 ps -ax -o pid,jid,command
expect_stdout_match '^  PID JID COMMAND$'

# limits runs its command; -C needs a class word.
expect_exit 0 limits -C daemon -n 100 sh -c 'ulimit -n'
expect_stdout_equals 100

# pwait: a timeout gives 124, a gone pid returns at once.
sleep 5 &
spid=$!
expect_exit 124 pwait -t 0.2 "$spid"
kill "$spid"
wait "$spid" 2>/dev/null
expect_exit 0 pwait "$spid"

for d in /etc /var/run /var/log /run /tmp /usr/local/etc/rc.d; do
	touch "$d/.w" || fail "$d is not writable"
	rm -f "$d/.w"
done
if touch /usr/.w 2>/dev/null; then
	rm -f /usr/.w
	fail "/usr is writable"
fi
[ -z "${SVCJ_RUNDIR:-}" ] || fail "SVCJ_RUNDIR is set"
