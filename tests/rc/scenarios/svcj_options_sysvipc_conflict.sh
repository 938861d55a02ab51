# svcj_options_sysvipc_conflict: sysvipc together with sysvipcnew (or
# either word twice: base counts the words) fails the start with rc.subr's
# message, exit 1, and creates no jail.

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

# base counts every SysV word: the same word twice is the same error.
for o in "sysvipc sysvipc" "sysvipcnew net_basic sysvipcnew"; do
	rc_conf_set jsv_svcj_options "$o"
	expect_exit 1 service jsv onestart
	expect_stdout_match "more than one sysvipc option is specified in jsv_svcj_options: $o\$"
	assert_no_jail svcj-jsv
	[ -z "$(svcj_pid jsv)" ] || fail "the daemon was started"
done
