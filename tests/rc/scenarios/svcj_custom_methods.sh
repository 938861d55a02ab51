# svcj_custom_methods: a jailed service with its own start_cmd and
# stop_cmd: the methods run inside svcj-NAME, precmd and postcmd on the
# host, ${name}_setup on the host once (where rc.subr has it: 13.x and
# later, the fixture); stop removes the jail.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jcm <<'RC'
start_cmd=jcm_start
stop_cmd=jcm_stop
start_precmd=jcm_where
start_postcmd=jcm_where
stop_precmd=jcm_where
stop_postcmd=jcm_where
jcm_setup=jcm_setup_fn

# jcm_where: record where a method runs: in the scenario's own PID
# namespace (the host), or another (the service jail).
jcm_where()
{
	if [ "$(readlink /proc/self/ns/pid)" = "$(cat /var/run/jcm.d/hostns)" ]
	then
		echo "$rc_arg ${1:-hook} host" >> /var/run/jcm.d/where
	else
		echo "$rc_arg ${1:-hook} inside" >> /var/run/jcm.d/where
	fi
}
jcm_setup_fn()
{
	echo "setup" >> /var/run/jcm.d/where
}
jcm_start()
{
	jcm_where method
	/usr/sbin/daemon -p "$pidfile" /bin/sleep 600
}
jcm_stop()
{
	jcm_where method
	kill "$(cat "$pidfile")"
}
RC
rc_conf_set jcm_svcj YES
readlink /proc/self/ns/pid > /var/run/jcm.d/hostns

expect_exit 0 service jcm onestart
assert_jail svcj-jcm
assert_eq "$(svcj_jid_of_daemon jcm)" "$(jid_of_jail svcj-jcm)" "jid of the daemon"
pid=$(svcj_hostpid jcm)
expect_exit 0 service jcm onestop
wait_gone "$pid"
svcj_wait_nojail svcj-jcm
# ${name}_setup runs for a custom start_cmd where rc.subr has
# _run_rc_setup (the fixture and the newest base; 12.x has no setup at
# all, 14.0-era main ran it for the default start method only).
setup_line=
if using_fixture_rc_subr || rc_subr_mentions _run_rc_setup; then
	setup_line="setup
"
else
	note "this rc.subr runs no \${name}_setup for a custom start_cmd"
fi
expect_exit 0 cat /var/run/jcm.d/where
expect_stdout_equals "${setup_line}start hook host
start method inside
start hook host
stop hook host
stop method inside
stop hook host"
