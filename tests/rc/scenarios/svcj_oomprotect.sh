# svcj_oomprotect: ${name}_oomprotect=YES protects a jailed service's
# daemon after a default start: rc.subr looks its pid up again after the
# start, with $JID, so JID must name the jail the start just created.
# protect(1) runs on the host (it cannot inside a jail) with the pid the
# host sees.  Which process is protected depends on the rc.subr: the
# fixture and newer base look the pid up through the pidfile ($_pidcmd:
# the daemon's child, /bin/sleep); 12.x looks up "check_process
# $command", which finds daemon(8)'s supervisor by its title ("daemon:
# /bin/sleep[N]"), as it does for the same service unjailed.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
grep -q 'oomprotect' /etc/rc.subr || skip "this rc.subr has no oomprotect"
# shellcheck disable=SC2016 # rc.subr's text, not expanded here
if using_fixture_rc_subr ||
    rc_subr_mentions '[ -z "${rc_pid}" ] && eval $_pidcmd'; then
	want=pidfile
elif rc_subr_mentions 'pid=$(check_process $command)'; then
	want=check_process
else
	fail "this rc.subr's protect step looks the pid up in a way not known here"
fi
rc_hook_local_subr
svcj_script joo </dev/null
rc_conf_set joo_svcj YES
rc_conf_set joo_oomprotect YES

expect_exit 0 service joo onestart
expect_stderr_empty
assert_jail svcj-joo
jid=$(jid_of_jail svcj-joo) || fail "no JID for svcj-joo"
pid=$(svcj_hostpid joo) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$jid" "jid of the daemon"
if [ "$want" = check_process ]; then
	# daemon(8)'s supervisor: the parent of the pidfile's process.
	pid=$(ps -o ppid= -p "$pid" | tr -d ' ')
	assert_eq "$(jid_of_pid "$pid")" "$jid" "jid of the supervisor"
	ps -ww -o command= -p "$pid" | grep -q '^daemon: /bin/sleep\[' ||
	    fail "the supervisor has no daemon(8) title"
	note "protected: daemon(8)'s supervisor (check_process \$command)"
fi
assert_file /var/log/svcj-test-protect
assert_eq "$(cat /var/log/svcj-test-protect)" "$pid -" "protected pid"
expect_exit 0 service joo onestop
svcj_wait_nojail svcj-joo
