# svcj_stop_as_user: a jailed service with ${name}_user runs as that user
# and stop (its signal sent as that user, inside the jail) ends it and
# removes the jail.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsu </dev/null
rc_conf_set jsu_svcj YES
rc_conf_set jsu_user svcjtest

expect_exit 0 service jsu onestart
assert_jail svcj-jsu
pid=$(svcj_hostpid jsu) || fail "the daemon did not start"
assert_eq "$(ps -o user= -p "$pid" | tr -d ' ')" svcjtest "user of the daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jsu)" "jid of the daemon"

expect_exit 0 service jsu onestop
expect_stdout_match '^Stopping jsu\.$'
wait_gone "$pid"
svcj_wait_nojail svcj-jsu
