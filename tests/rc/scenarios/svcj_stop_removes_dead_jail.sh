# svcj_stop_removes_dead_jail: a service jail dies with its only process;
# stop then answers like an unjailed service ("not running?", exit 1) and
# no jail is left.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsd </dev/null
rc_conf_set jsd_svcj YES

expect_exit 0 service jsd onestart
pid=$(svcj_hostpid jsd) || fail "the daemon did not start"
kill -9 "$pid"
wait_gone "$pid"
svcj_wait_nojail svcj-jsd
expect_exit 1 service jsd onestop
expect_stderr_match 'jsd not running\?'
assert_no_jail svcj-jsd
