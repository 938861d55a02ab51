# svcj_oomprotect_pidfile_late: ${name}_oomprotect after a jailed default
# start when daemon(8)'s child writes the pidfile late.  daemon returns
# before its child has written the pidfile (daemon.c: the file exists,
# empty, until then); rc.subr's protect step looks the pid up once, right
# after the start, and with an empty pidfile protects nothing ("protect:
# option requires an argument -- p").  The shims wait (bounded) for the
# pidfile of a jailed service with ${name}_oomprotect, so that the step
# finds the daemon.  The daemon's child is held here (the daemon fake's
# SVCJ_TEST_DAEMON_GATE, passed with ${name}_env) and let go a second
# and a half later.  Only for an rc.subr that looks the pid up again
# through $_pidcmd (the pidfile; the fixture and the newest base do); 12.x
# looks up check_process $command instead.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
grep -q 'oomprotect' /etc/rc.subr || skip "this rc.subr has no oomprotect"
# shellcheck disable=SC2016 # rc.subr's text, not expanded here
if ! using_fixture_rc_subr &&
    ! rc_subr_mentions '[ -z "${rc_pid}" ] && eval $_pidcmd'; then
	skip "this rc.subr does not look the pid up again through the pidfile"
fi
rc_hook_local_subr
svcj_script jol </dev/null
rc_conf_set jol_svcj YES
rc_conf_set jol_oomprotect YES
rc_conf_set jol_env SVCJ_TEST_DAEMON_GATE=/tmp/jol.gate
mkfifo /tmp/jol.gate || fail "cannot make the gate"
( sleep 1.5; echo go > /tmp/jol.gate ) &

expect_exit 0 service jol onestart
expect_stderr_empty
assert_jail svcj-jol
pid=$(svcj_hostpid jol) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jol)" "jid of the daemon"
assert_file /var/log/svcj-test-protect
assert_eq "$(cat /var/log/svcj-test-protect)" "$pid -" "protected pid"
expect_exit 0 service jol onestop
svcj_wait_nojail svcj-jol
