# svcj_oomprotect: ${name}_oomprotect=YES protects a jailed service's
# daemon after a default start: rc.subr looks its pid up again after the
# start, with $JID, so JID must name the jail the start just created.
# protect(1) runs on the host (it cannot inside a jail) with the pid the
# host sees.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
grep -q 'oomprotect' /etc/rc.subr || skip "this rc.subr has no oomprotect"
rc_hook_local_subr
svcj_script joo </dev/null
rc_conf_set joo_svcj YES
rc_conf_set joo_oomprotect YES

expect_exit 0 service joo onestart
expect_stderr_empty
assert_jail svcj-joo
pid=$(svcj_hostpid joo) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-joo)" "jid of the daemon"
assert_file /var/log/svcj-test-protect
assert_eq "$(cat /var/log/svcj-test-protect)" "$pid -" "protected pid"
expect_exit 0 service joo onestop
svcj_wait_nojail svcj-joo
