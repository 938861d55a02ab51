# svcj_hook_uncopyable: if the hook cannot copy run_rc_command from an
# rc.subr it does not understand (one without service jails of its own),
# it fails closed: it says so, and no service is started -- a service
# that asked for a jail is never started without one.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
# The closing brace of run_rc_command gets a comment: still valid sh, but
# not the shape the hook copies.
awk '
	/^run_rc_command\(\)$/ { inrrc = 1 }
	inrrc && /^}$/ { print "}\t# end of run_rc_command"; inrrc = 0; done = 1; next }
	{ print }
	END { exit !done }
' /etc/rc.subr > /tmp/rc.subr.odd || skip "no run_rc_command() in this rc.subr"
grep -q '_rc_svcj' /tmp/rc.subr.odd &&
    skip "this rc.subr has service jails of its own (left alone by design)"
cat /tmp/rc.subr.odd > /etc/rc.subr
rc_hook_local_subr
svcj_script juc </dev/null
svcj_script jud </dev/null
rc_conf_set juc_svcj YES

expect_exit_nonzero service juc onestart
expect_stderr_match 'cannot copy run_rc_command from /etc/rc.subr'
assert_no_jail svcj-juc
assert_no_file /var/run/juc.d/juc.pid
expect_exit_nonzero service jud onestart
expect_stderr_match 'jud: svcj-tools could not hook rc.subr'
assert_no_file /var/run/jud.d/jud.pid
