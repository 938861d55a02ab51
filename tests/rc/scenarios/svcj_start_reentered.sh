# svcj_start_reentered: on an rc.subr whose default start line does not go
# through limits(1) (here: the installed rc.subr with its limits prefix
# removed), the shims cannot take the command line over, so the default
# start is re-entered inside the jail instead; the daemon still lands in
# svcj-NAME and never on the host.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
# shellcheck disable=SC2016 # rc.subr text
sed 's/limits -C \$_login_class \$_limits //' /etc/rc.subr > /tmp/rc.subr.new
if cmp -s /etc/rc.subr /tmp/rc.subr.new || grep -q 'limits -C' /tmp/rc.subr.new
then
	skip "this rc.subr's start line is not the fixture's; cannot remove limits(1) from it"
fi
cat /tmp/rc.subr.new > /etc/rc.subr
rc_hook_local_subr
svcj_script jre </dev/null
rc_conf_set jre_svcj YES

expect_exit 0 service jre onestart
expect_stdout_equals "Starting jre."
assert_jail svcj-jre
pid=$(svcj_hostpid jre) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jre)" "jid of the daemon"
expect_exit 0 service jre onestatus
expect_stdout_match "^jre is running as pid $pid\.\$"
expect_exit 0 service jre onestop
wait_gone "$pid"
svcj_wait_nojail svcj-jre
