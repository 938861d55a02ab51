# svcj_rctl: ${name}_svcj_rctl reaches svcj-exec.  A bad rule (rc.conf or
# the script's default) fails the start with the rule, the reason and the
# fix, and creates no jail; rc.conf wins over the script's default; a
# host that cannot enforce the limits (this root has no cgroup file
# system) refuses to start the service rather than start it unlimited.
# Services without rules are unaffected.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
# shellcheck disable=SC2016 # expanded by the rc.d script
svcj_script jrl <<'RC'
: ${jrl_svcj_rctl:="maxproc:deny=20"}
RC
svcj_script jrn </dev/null
rc_conf_set jrl_svcj YES
rc_conf_set jrn_svcj YES

# A bad rule in rc.conf: refused before anything exists.
rc_conf_set jrl_svcj_rctl "memoryuse:deny=64M bogus:deny=1"
expect_exit_nonzero service jrl onestart
expect_stderr_match 'invalid rctl rule "bogus:deny=1": unknown resource "bogus"; fix: '
assert_no_jail svcj-jrl
expect_exit_nonzero service jrl onestatus

# The script's default, with nothing in rc.conf: handed to svcj-exec
# (which refuses here, failing closed: no cgroup file system in this root).
rc_conf_set jrl_svcj_rctl ""
if [ ! -d /sys/fs/cgroup ]; then
	expect_exit_nonzero service jrl onestart
	expect_stderr_match 'svcj-jrl'
	assert_no_jail svcj-jrl
	# shellcheck disable=SC2009 # ps is FreeBSD's here (the fake)
	ps -ax -o command= | grep -q '^/bin/sleep 600' &&
	    fail "the service started without its limits"
fi

# Without rules nothing changes.
expect_exit 0 service jrn onestart
assert_jail svcj-jrn
expect_exit 0 service jrn onestop
svcj_wait_nojail svcj-jrn
