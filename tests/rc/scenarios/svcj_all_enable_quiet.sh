# svcj_all_enable_quiet: svcj_all_enable=YES with no ${name}_svcj, and
# svcj_all_enable=NO likewise, never make rc.subr warn that ${name}_svcj
# "is not set properly" (base 14.2 to 15.0 does).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jaq </dev/null
rc_conf_set svcj_all_enable YES

expect_exit 0 service jaq onestart
expect_stderr_nomatch 'is not set properly'
expect_stdout_nomatch 'is not set properly'
assert_jail svcj-jaq
expect_exit 0 service jaq onestatus
expect_stderr_nomatch 'is not set properly'
expect_exit 0 service jaq onestop
expect_stderr_nomatch 'is not set properly'
svcj_wait_nojail svcj-jaq

rc_conf_set svcj_all_enable NO
expect_exit 0 service jaq onestart
expect_stderr_nomatch 'is not set properly'
assert_no_jail svcj-jaq
expect_exit 0 service jaq onestop
expect_stderr_nomatch 'is not set properly'
