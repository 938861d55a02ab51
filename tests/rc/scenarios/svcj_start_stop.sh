# svcj_start_stop: a service with ${name}_svcj=YES starts inside
# svcj-NAME (its daemon carries the jail's JID from outside and 0 from
# inside, its output goes to the console log), status finds it from the
# host, restart replaces it in a new jail, and stop removes the daemon and
# the jail; a second stop says "not running?" and exits 1.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jss </dev/null
rc_conf_set jss_enable YES
rc_conf_set jss_svcj YES

expect_exit 0 service jss start
expect_stdout_match '^Starting jss\.$'
assert_jail svcj-jss
jid=$(jid_of_jail svcj-jss) || fail "no JID for svcj-jss"
[ "$jid" -ne 0 ] || fail "svcj-jss has JID 0"
pid=$(svcj_hostpid jss) || fail "no daemon after start"
assert_eq "$(jid_of_pid "$pid")" "$jid" "jid of the daemon from outside"
inner=$(svcj_pid jss)
inside=$(jexec svcj-jss ps -o jid= -p "$inner" | tr -d ' ')
assert_eq "$inside" 0 "jid of the daemon from inside"
assert_file /var/log/svcj_jss_console.log

expect_exit 0 service jss status
expect_stdout_match "^jss is running as pid $pid\.\$"

expect_exit 1 service jss start
expect_stderr_match 'jss already running\?'
assert_alive "$pid"

expect_exit 0 service jss restart
expect_stdout_match '^Stopping jss\.$'
expect_stdout_match '^Starting jss\.$'
wait_gone "$pid"
assert_jail svcj-jss
pid2=$(svcj_hostpid jss) || fail "no daemon after restart"
assert_eq "$(jid_of_pid "$pid2")" "$(jid_of_jail svcj-jss)" "jid after restart"

expect_exit 0 service jss stop
expect_stdout_match '^Stopping jss\.$'
wait_gone "$pid2"
svcj_wait_nojail svcj-jss

expect_exit 1 service jss stop
expect_stderr_match 'jss not running\?'
assert_no_jail svcj-jss
