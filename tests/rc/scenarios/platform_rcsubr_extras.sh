# More of the rc.subr interface: ${name}_env_file, ${name}_prepend,
# ${name}_offcmd for a disabled service, ${name}_setup, the force prefix
# overriding a failing precmd, describe, and rc_debug/rc_info output.

write_rc_script pext <<'RC'
#!/bin/sh
. /etc/rc.subr
name=pext
rcvar=pext_enable
desc="an rc.subr interface exerciser"
start_cmd=pext_start
start_precmd=pext_pre
pext_pre()
{
	[ ! -e /tmp/pext.block ]
}
pext_start()
{
	echo "start: PEXT_A=$PEXT_A PEXT_B=$PEXT_B"
	info "started"
}
load_rc_config $name
run_rc_command "$1"
RC

printf 'PEXT_A=one\nPEXT_B="two words"\n' > /etc/pext.env
rc_conf_set pext_env_file /etc/pext.env
rc_conf_set pext_offcmd "echo offcmd ran"
rc_conf_set pext_setup "echo setup ran"

# ${name}_offcmd and ${name}_setup exist since 13.x (not in 12.x); a
# custom start_cmd gets the setup only where rc.subr has _run_rc_setup
# (14.0-era main ran it for the default start method only).
expect_exit 0 service pext start
if rc_subr_mentions _offcmd; then
	expect_stdout_match '^offcmd ran$'
fi
expect_stdout_match "^Cannot 'start' pext\\."
expect_stdout_nomatch '^setup ran$'

rc_conf_set pext_enable YES
expect_exit 0 service pext start
if rc_subr_mentions _run_rc_setup; then
	expect_stdout_match '^setup ran$'
fi
expect_stdout_match '^start: PEXT_A=one PEXT_B=two words$'
expect_stdout_nomatch 'offcmd'

touch /tmp/pext.block
expect_exit 1 service pext start
expect_stdout_nomatch '^start:'
expect_exit 0 service pext forcestart
expect_stdout_match '^start: '

rc_conf_set rc_info YES
expect_exit 0 service pext forcestart
expect_stdout_match 'pext: INFO: started$'
rc_conf_set rc_debug YES
expect_exit 0 service pext forcestart
expect_stderr_match 'DEBUG: '

expect_exit 0 service pext describe
expect_stdout_equals "an rc.subr interface exerciser"

# ${name}_prepend is put before the command of the default start method.
write_rc_script ppre <<'RC'
#!/bin/sh
. /etc/rc.subr
name=ppre
rcvar=ppre_enable
pidfile=/var/run/ppre.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p $pidfile $procname 600"
load_rc_config $name
run_rc_command "$1"
RC
rc_conf_set ppre_enable YES
rc_conf_set ppre_prepend "env PPRE_MARK=prepended"
expect_exit 0 service ppre start
pid=$(pid_from_file /var/run/ppre.pid) || fail "no pidfile"
# daemon's child writes its pid before it executes the command.
wait_until sh -c "ps -o command= -p $pid | grep -q '^/bin/sleep 600'" ||
    fail "the pidfile does not name the daemon"
tr '\0' '\n' < "/proc/$pid/environ" | grep -q '^PPRE_MARK=prepended$' ||
    fail "ppre_prepend was not applied"
expect_exit 0 service ppre stop
assert_gone "$pid"
