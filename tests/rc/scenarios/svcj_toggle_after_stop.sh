# svcj_toggle_after_stop: ${name}_svcj changed between a stop and the next
# start: NO runs on the host, YES then runs in svcj-NAME, and both stop.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jtg </dev/null
rc_conf_set jtg_svcj NO

expect_exit 0 service jtg onestart
assert_no_jail svcj-jtg
pid=$(svcj_hostpid jtg) || fail "the daemon did not start"
assert_eq "$(jid_of_pid "$pid")" 0 "jid of the unjailed daemon"
expect_exit 0 service jtg onestop
wait_gone "$pid"

rc_conf_set jtg_svcj YES
rm -f /var/run/jtg.d/jtg.pid
expect_exit 0 service jtg onestart
assert_jail svcj-jtg
pid=$(svcj_hostpid jtg) || fail "the daemon did not start jailed"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jtg)" "jid of the jailed daemon"
expect_exit 0 service jtg onestop
wait_gone "$pid"
svcj_wait_nojail svcj-jtg

rc_conf_set jtg_svcj NO
expect_exit 0 service jtg onestart
assert_no_jail svcj-jtg
pid=$(svcj_hostpid jtg) || fail "the daemon did not start unjailed again"
expect_exit 0 service jtg onestop
wait_gone "$pid"
