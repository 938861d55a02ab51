# svcj_start_fails_inside: a start method that fails inside the jail, after
# leaving a process there, fails the start and leaves no jail and no
# process behind -- for the default method and for a custom start_cmd.
# As in base, the default method's start_postcmd does not run; a custom
# start_cmd's does (base sets its result and carries on to postcmd), and
# the start still fails.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
cat > /usr/local/bin/jfail <<'SH'
#!/bin/sh
/bin/sleep 677 >/dev/null 2>&1 &
exit 3
SH
chmod 755 /usr/local/bin/jfail

svcj_script jfd <<'RC'
command=/usr/local/bin/jfail
command_args=
start_postcmd="touch /var/run/jfd.d/postcmd"
RC
svcj_script jfc <<'RC'
start_cmd=jfc_start
start_postcmd="touch /var/run/jfc.d/postcmd"
jfc_start()
{
	/usr/local/bin/jfail
}
RC
rc_conf_set jfd_svcj YES
rc_conf_set jfc_svcj YES

expect_exit_nonzero service jfd onestart
svcj_wait_nojail svcj-jfd
assert_no_file /var/run/jfd.d/postcmd
expect_exit_nonzero service jfc onestart
svcj_wait_nojail svcj-jfc
assert_file /var/run/jfc.d/postcmd
# shellcheck disable=SC2009 # ps is FreeBSD's here (the fake); no pgrep
ps -ax -o command= | grep -q '^/bin/sleep 677' &&
    fail "a process of the failed start survived"
:
