# svcj_all_enable: svcj_all_enable=YES jails a service that has no
# ${name}_svcj of its own; a service with ${name}_svcj=NO stays on the host
# (the per-service value wins).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jaa </dev/null
svcj_script jab </dev/null
rc_conf_set svcj_all_enable YES
rc_conf_set jab_svcj NO

expect_exit 0 service jaa onestart
assert_jail svcj-jaa
assert_eq "$(svcj_jid_of_daemon jaa)" "$(jid_of_jail svcj-jaa)" "jid of jaa"

expect_exit 0 service jab onestart
assert_no_jail svcj-jab
assert_eq "$(svcj_jid_of_daemon jab)" 0 "jid of jab"

expect_exit 0 service jaa onestop
svcj_wait_nojail svcj-jaa
expect_exit 0 service jab onestop
