# svcj_demo: the demo of `make demo` (tests/rc/demo.sh), also run as a
# scenario: a sample daemon enabled with demo_enable="YES" and
# demo_svcj="YES" starts in svcj-demo, sees only its own processes and no
# network, status and svcj-check report it, and stop removes the jail and
# every process.  Every step is narrated and asserted.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims

#
# say text
#	Print a heading.
#
say()
{
	printf '\n==> %s\n' "$*"
}

#
# show command [args ...]
#	Print "$ command", run it, print its output; its status in
#	$ST_STATUS.
#
show()
{
	echo "\$ $*"
	run "$@"
	cat "$ST_OUT" "$ST_ERR" | sed 's/^/  /'
}

say "Installing the hook: one line in /etc/local.rc.subr"
rc_hook_local_subr
show cat /etc/local.rc.subr

say "A sample rc.d service: a small daemon with a worker process"
cat > /usr/local/bin/demod <<'SH'
#!/bin/sh
# demod - the demo daemon: one worker, then it waits.  At start it
# records what it can see: processes and network interfaces.
mkdir -p /var/run/demo
/bin/sleep 3601 &
{
	echo "processes I can see:"
	ps -ax -o pid= -o jid= -o command= | sed 's/^/  /'
	echo "network interfaces I can see:"
	sed -n 's/^ *\([^:]*\):.*/  \1/p' /proc/net/dev
} > /var/run/demo/seen.tmp
mv /var/run/demo/seen.tmp /var/run/demo/seen.txt
exec /bin/sleep 3600
SH
chmod 755 /usr/local/bin/demod
write_rc_script demo <<'RC'
#!/bin/sh
#
# PROVIDE: demo
# REQUIRE: DAEMON

. /etc/rc.subr

name=demo
rcvar=demo_enable
desc="svcj-tools demo daemon"
pidfile=/var/run/demo.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile /usr/local/bin/demod"

load_rc_config $name
: "${demo_svcj_options:=""}"
run_rc_command "$1"
RC
show cat /usr/local/etc/rc.d/demo
rc_conf_set demo_enable YES
rc_conf_set demo_svcj YES
say "rc.conf enables it, in a service jail"
show cat /etc/rc.conf

say "service demo start"
show service demo start
[ "$ST_STATUS" -eq 0 ] || fail "service demo start exited $ST_STATUS"
assert_jail svcj-demo
jid=$(jid_of_jail svcj-demo)
show jls -j svcj-demo jid name path ip4 ip6
wait_until test -s /var/run/demo/seen.txt || fail "the daemon recorded nothing"

#
# sleepers
#	Test: the daemon and its worker both run in svcj-demo.
#
sleepers()
{
	# shellcheck disable=SC2009 # FreeBSD's ps (the fake), no pgrep -j
	[ "$(ps -ax -o command= -J "$jid" | grep -c '^/bin/sleep 360[01]$')" -eq 2 ]
}
wait_until sleepers || fail "expected the daemon and its worker in svcj-demo"
say "What the host sees: the daemon and its worker, in jail $jid"
echo "  (on Linux the jail's PID 1 is svcj-exec's small reaper)"
show ps -ax -o pid= -o jid= -o command= -J "$jid"
hostcount=$(ps -ax -o pid= | wc -l)
echo "  (the host has $hostcount processes in this test root)"

say "What the service sees from inside: only its own processes, no network"
show cat /var/run/demo/seen.txt
grep -q harness /var/run/demo/seen.txt &&
    fail "the service sees the host's processes"
sed -n '/^processes/,/^network/p' /var/run/demo/seen.txt |
    awk '$1 ~ /^[0-9]+$/ && $2 != 0 { bad = 1 } END { exit bad }' ||
    fail "the service sees processes of another jail"
[ "$(sed -n '/^network/,$p' /var/run/demo/seen.txt | tail -n +2 | tr -d ' ')" = lo ] ||
    fail "the service sees network interfaces besides lo"

say "The same, asked with jexec"
show jexec svcj-demo ps -ax -o pid,jid,command
show jexec svcj-demo cat /proc/net/dev
echo "\$ jexec svcj-demo busybox nc -w 1 127.0.0.1 22 </dev/null"
if jexec svcj-demo busybox nc -w 1 127.0.0.1 22 </dev/null >/dev/null 2>&1; then
	fail "a connection from inside the jail succeeded"
fi
echo "  connection refused or unreachable: no network in the jail"

say "service demo status"
show service demo status
[ "$ST_STATUS" -eq 0 ] || fail "service demo status exited $ST_STATUS"
expect_stdout_match '^demo is running as pid [0-9]+\.$'

say "svcj-check status"
show svcj-check status
[ "$ST_STATUS" -eq 0 ] || fail "svcj-check status exited $ST_STATUS"
expect_stdout_match 'svcj-demo'

pids=$(pids_in_jail svcj-demo)
say "service demo stop"
show service demo stop
[ "$ST_STATUS" -eq 0 ] || fail "service demo stop exited $ST_STATUS"
svcj_wait_nojail svcj-demo
for p in $pids; do
	wait_gone "$p"
done
show jls
show svcj-check status
# shellcheck disable=SC2086 # one pid a word
plist=$(printf '%s ' $pids)
echo "  svcj-demo and its processes (${plist% }) are gone."

say "Demo complete"
