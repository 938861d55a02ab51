# demo: a sample rc.d service enabled with demo_svcj="YES" is started in
# a service jail in the test root; we look at what it sees (its own
# processes only, no network), ask its status, then stop it: the jail and
# every process in it are gone.  Each step is also checked.

require_shims
rc_hook_local_subr

write_rc_script demo <<'RC'
#!/bin/sh
# PROVIDE: demo
. /etc/rc.subr
name=demo
rcvar=demo_enable
desc="svcj-tools demonstration service"
pidfile=/var/run/demo.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile $procname 3600"
load_rc_config $name
run_rc_command "$1"
RC
rc_conf_set demo_enable YES
rc_conf_set demo_svcj YES

show cat /etc/local.rc.subr
show cat /etc/rc.conf
show service demo start || fail "service demo start failed"
assert_jail svcj-demo
jid=$(jid_of_jail svcj-demo)
show jls
show service demo status || fail "service demo status failed"

echo "# What the service sees: only its own processes, all in jail 0 (itself)."
show jexec svcj-demo ps -ax -o pid,jid,command
run jexec svcj-demo ps -ax -o pid= -o jid=
expect_stdout_nomatch ' [1-9-][0-9]*$'
echo "# ... and no network but an unconfigured loopback."
show jexec svcj-demo cat /proc/net/dev
run jexec svcj-demo cat /proc/net/dev
expect_stdout_nomatch '^ *(eth|en|wl|veth|br)'
echo "# From the host, its processes carry the jail's JID ($jid)."
show ps -ax -o pid,jid,command
sleeper=$(ps -ax -o pid= -o jid= -o command= | while read -r p j c; do
	[ "$j" = "$jid" ] && [ "$c" = "/bin/sleep 3600" ] && echo "$p"
done)
[ -n "$sleeper" ] || fail "the jailed daemon is not visible from the host"

show service demo stop || fail "service demo stop failed"
assert_no_jail svcj-demo
assert_gone "$sleeper"
show jls
echo "# svcj-demo and all its processes are gone."
