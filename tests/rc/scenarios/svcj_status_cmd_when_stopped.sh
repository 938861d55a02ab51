# svcj_status_cmd_when_stopped: status of a stopped jailed service with its
# own status_cmd fails, runs no method (not on the host either) and
# creates no jail.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsw <<'RC'
status_cmd=jsw_status
jsw_status()
{
	: > /var/run/jsw.d/status.ran
}
RC
rc_conf_set jsw_svcj YES

expect_exit_nonzero service jsw onestatus
expect_stdout_match '^jsw is not running\.$'
assert_no_jail svcj-jsw
assert_no_file /var/run/jsw.d/status.ran
