# svcj_start_lost_race: a start that loses the race for svcj-NAME to
# another start (svcj-exec exits 69, "already exists") fails and leaves
# the jail the other start created, and its daemon, alone.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
# The precmd plays the other start: it creates svcj-jlr (with a process
# in it) after this start has looked for the jail and before it creates
# its own.
svcj_script jlr <<'RC'
start_precmd=jlr_pre
jlr_pre()
{
	/usr/local/sbin/svcj-exec -q jlr -- /usr/sbin/daemon \
	    -p /var/run/jlr.d/other.pid /bin/sleep 600
}
RC
rc_conf_set jlr_svcj YES

expect_exit 1 service jlr onestart
expect_stderr_match 'already exists|exists'
assert_jail svcj-jlr
pid=$(pid_from_file /var/run/jlr.d/other.pid) ||
    fail "the other start's daemon wrote no pidfile"
other=$(svcj-exec -j svcj-jlr -- ps -o pid= -p "$pid" | tr -d ' ')
assert_eq "$other" "$pid" "the other start's daemon is still running"
expect_exit 0 svcj-kill svcj-jlr
svcj_wait_nojail svcj-jlr
