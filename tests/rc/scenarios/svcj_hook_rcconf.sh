# svcj_hook_rcconf: on an rc.subr without /etc/local.rc.subr the hook line
# goes in /etc/rc.conf; jailed services then work through service(8) and
# at boot; the hook sourced again (rc.conf twice, plus local.rc.subr)
# changes nothing.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rm -f /etc/local.rc.subr
rc_hook_rcconf
svcj_script jhr </dev/null
rc_conf_set jhr_enable YES
rc_conf_set jhr_svcj YES

expect_exit 0 service jhr start
assert_jail svcj-jhr
assert_eq "$(svcj_jid_of_daemon jhr)" "$(jid_of_jail svcj-jhr)" "jid of jhr"
expect_exit 0 service jhr status
expect_exit 0 service jhr stop
svcj_wait_nojail svcj-jhr

expect_exit 0 sh /etc/rc autoboot
assert_jail svcj-jhr
expect_exit 0 service jhr stop
svcj_wait_nojail svcj-jhr

# Sourced three times now: twice from rc.conf, once from local.rc.subr.
rc_hook_rcconf
rc_hook_local_subr
expect_exit 0 service jhr start
expect_stdout_equals "Starting jhr."
assert_jail svcj-jhr
expect_exit 0 service jhr stop
svcj_wait_nojail svcj-jhr
