# The fakes over a real service jail (svcj-exec): jls sees it, ps shows
# its processes with its JID from outside and 0 from inside, jexec and
# service -j run commands in it, and svcj-kill (jail -r) removes it.

require_svcj_exec

expect_exit 0 svcj-exec pjail -- /usr/sbin/daemon -p /var/run/pjail.pid /bin/sleep 600
assert_jail svcj-pjail
jid=$(jid_of_jail svcj-pjail) || fail "no jid for svcj-pjail"
case "$jid" in
''|*[!0-9]*|0)	fail "svcj-pjail has jid '$jid'" ;;
esac
expect_exit 0 jls -j svcj-pjail jid name path
expect_stdout_equals "$jid svcj-pjail /"
expect_exit 0 jls -j "$jid" name
expect_stdout_equals svcj-pjail
expect_exit 0 jls -j svcj-pjail ip4.addr
expect_stdout_equals -
expect_exit 0 jls
expect_stdout_match "^ +$jid +.* /\$"

pid=$(pid_from_file /var/run/pjail.pid) || fail "no pidfile from the jailed daemon"
note "pidfile holds $pid (a pid of the jail's namespace)"

# From outside: the jail's processes carry its JID, ours carry 0.
pids=$(pids_in_jail svcj-pjail)
[ -n "$pids" ] || fail "ps -J $jid lists no process"
expect_exit 0 ps -ax -o pid= -o jid= -o command=
expect_stdout_match "^ *[0-9]+ +$jid /bin/sleep 600\$"
expect_stdout_match "^ *$$ +0 /bin/sh "
sleeper=$(ps -ax -o pid= -o jid= -o command= | while read -r p j c; do
	[ "$j" = "$jid" ] && [ "$c" = "/bin/sleep 600" ] && echo "$p"
done)
[ -n "$sleeper" ] || fail "the jailed sleep is not visible from outside"
assert_eq "$(jid_of_pid "$sleeper")" "$jid" "jid of the jailed sleep seen from outside"

# The pidfile holds the in-jail pid: "ps -p" from outside also lists the
# jailed process with that in-jail pid (FreeBSD pids are global), so the
# pid lookup of rc.subr with JID set to the jail finds it, and with JID=0
# finds nothing.
expect_exit 0 ps -o pid= -o jid= -o command= -p "$pid"
expect_stdout_match "^ *$sleeper +$jid /bin/sleep 600\$"
# shellcheck disable=SC2016 # expanded by the inner shell
expect_exit 0 sh -c '. /etc/rc.subr; JID=$1; check_pidfile /var/run/pjail.pid /bin/sleep' sh "$jid"
expect_stdout_equals "$sleeper"
# shellcheck disable=SC2016 # expanded by the inner shell
expect_exit 0 sh -c '. /etc/rc.subr; JID=$1; check_process /bin/sleep' sh "$jid"
expect_stdout_equals "$sleeper"
# shellcheck disable=SC2016 # expanded by the inner shell
expect_exit 0 sh -c '. /etc/rc.subr; check_pidfile /var/run/pjail.pid /bin/sleep'
expect_stdout_equals ""

# From inside: only the jail's processes, all with jid 0, and no jail.
expect_exit 0 jexec svcj-pjail /bin/ps -ax -o pid= -o jid= -o command=
expect_stdout_match "^ *$pid +0 /bin/sleep 600\$"
expect_stdout_nomatch "^ *[0-9]+ +[1-9-]"
expect_stdout_nomatch "harness"
expect_exit 0 jexec svcj-pjail /usr/sbin/jls
expect_stdout_nomatch svcj-pjail
# shellcheck disable=SC2016 # expanded inside the jail
expect_exit 0 jexec svcj-pjail /bin/sh -c 'echo "in $(pwd) as $(id -u)"'
expect_stdout_equals "in / as 0"
expect_exit 0 jexec -U svcjtest svcj-pjail /usr/bin/id -u
expect_stdout_equals 4242
expect_exit 3 jexec svcj-pjail /bin/sh -c 'exit 3'

# service -j runs the rc.d script inside the jail.
write_rc_script pjq <<'RC'
#!/bin/sh
. /etc/rc.subr
name=pjq
rcvar=pjq_enable
start_cmd=pjq_where
pjq_where()
{
	echo "pjq runs with $(ps -o jid= -p $$ | tr -d ' ') jid, $(ps -ax -o pid= | wc -l | tr -d ' ') processes visible"
}
load_rc_config $name
run_rc_command "$1"
RC
expect_exit 0 service -j svcj-pjail pjq onestart
expect_stdout_match '^pjq runs with 0 jid, [0-9]+ processes visible$'

expect_exit 0 jail -r svcj-pjail
assert_no_jail svcj-pjail
assert_gone "$sleeper"
