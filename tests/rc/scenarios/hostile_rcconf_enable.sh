# hostile_rcconf_enable: a ${name}_svcj value that is not YES/NO but holds
# shell metacharacters executes nothing; rc.subr's checkyesno reports it as
# not set properly and the service is not jailed (as base rc.subr does).

# The metacharacters in single quotes are the test data:
# shellcheck disable=SC2016
# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script hse </dev/null
rm -f /tmp/CANARY
printf '%s\n' 'hse_svcj='\''YES;touch /tmp/CANARY'\''' >> /etc/rc.conf
printf '%s\n' 'hse_svcj_options='\''$(touch /tmp/CANARY)'\''' >> /etc/rc.conf

expect_exit 0 service hse onestart
expect_stderr_match 'hse_svcj is not set properly'
assert_no_file /tmp/CANARY
assert_no_jail svcj-hse
expect_exit 0 service hse onestop
assert_no_file /tmp/CANARY
assert_no_jail svcj-hse
