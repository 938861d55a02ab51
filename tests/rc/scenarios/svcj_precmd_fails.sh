# svcj_precmd_fails: a start_precmd that fails (on the host) stops the
# start before any jail is created.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jpf <<'RC'
start_precmd=jpf_pre
jpf_pre()
{
	: > /var/run/jpf.d/precmd.ran
	return 1
}
RC
rc_conf_set jpf_svcj YES

expect_exit 1 service jpf onestart
expect_stderr_match 'failed precmd routine for jpf'
assert_file /var/run/jpf.d/precmd.ran
assert_no_jail svcj-jpf
assert_no_file /var/run/jpf.d/jpf.pid
