# svcj_hook_copy_parse_error: when the text the hook copies from rc.subr
# does not parse on its own (here a here-document inside run_rc_command
# holds a line "}", where the copy ends), the hook still fails closed with
# its message: eval is a special builtin, and a parse error in a plain
# eval would end the shell that is loading rc.subr, silently.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
awk '
	/^run_rc_command\(\)/ { inrrc = 1 }
	inrrc && /^{/ {
		print
		print "\tif false; then"
		print "\t\tcat <<_RCF_EOF"
		print "}"
		print "_RCF_EOF"
		print "\tfi"
		inrrc = 0; done = 1; next
	}
	{ print }
	END { exit !done }
' /etc/rc.subr > /tmp/rc.subr.odd || skip "no run_rc_command() in this rc.subr"
grep -q '_rc_svcj' /tmp/rc.subr.odd &&
    skip "this rc.subr has service jails of its own (left alone by design)"
sh -n /tmp/rc.subr.odd || fail "the modified rc.subr does not parse"
cat /tmp/rc.subr.odd > /etc/rc.subr
rc_hook_local_subr
svcj_script jpe </dev/null
rc_conf_set jpe_svcj YES

expect_exit_nonzero service jpe onestart
expect_stderr_match 'cannot copy run_rc_command from /etc/rc.subr'
expect_stderr_match 'jpe: svcj-tools could not hook rc.subr'
assert_no_jail svcj-jpe
assert_no_file /var/run/jpe.d/jpe.pid
