# svcj_restart_cmd_when_stopped: restart of a stopped jailed service with
# its own restart_cmd starts it in a new jail; the custom method, meant
# for a running service, is not run.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jrw <<'RC'
restart_cmd=jrw_restart
jrw_restart()
{
	: > /var/run/jrw.d/restart.ran
}
RC
rc_conf_set jrw_svcj YES

expect_exit 0 service jrw onerestart
assert_jail svcj-jrw
assert_eq "$(svcj_jid_of_daemon jrw)" "$(jid_of_jail svcj-jrw)" "jid of the daemon"
assert_no_file /var/run/jrw.d/restart.ran
expect_exit 0 service jrw onestop
svcj_wait_nojail svcj-jrw
