# svcj_options_sysvipc_conflict: sysvipc together with sysvipcnew fails the
# start with rc.subr's message, exit 1, and creates no jail.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsv </dev/null
rc_conf_set jsv_svcj YES
rc_conf_set jsv_svcj_options "sysvipc sysvipcnew"

expect_exit 1 service jsv onestart
expect_stdout_match 'more than one sysvipc option'
assert_no_jail svcj-jsv
[ -z "$(svcj_pid jsv)" ] || fail "the daemon was started"
