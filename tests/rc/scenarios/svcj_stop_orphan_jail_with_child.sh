# svcj_stop_orphan_jail_with_child: the tracked process is gone but a
# helper it left keeps the jail alive; stop still removes the helper and
# the jail, so that the next start works.  As base's stop without a pid,
# it says "not running?" and exits 1; faststop exits 0.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jso <<'RC'
command_args="-p $pidfile -- /bin/sh /var/run/jso.d/child.sh"
RC
cat > /var/run/jso.d/child.sh <<'SH'
/bin/sleep 601 >/dev/null 2>&1 &
echo started > /var/run/jso.d/child.started
exec /bin/sleep 600
SH
rc_conf_set jso_svcj YES

expect_exit 0 service jso onestart
wait_until test -s /var/run/jso.d/child.started || fail "the helper never started"
wait_until svcj_hostpid jso >/dev/null || fail "no daemon"
pid=$(svcj_hostpid jso)
kill -9 "$pid"
wait_gone "$pid"
assert_jail svcj-jso
helpers=$(pids_in_jail svcj-jso)
[ -n "$helpers" ] || fail "the helper did not keep svcj-jso alive"

expect_exit 1 service jso onestop
expect_stderr_match '^jso not running\? \(check /var/run/jso\.d/jso\.pid\)\.$'
svcj_wait_nojail svcj-jso
for h in $helpers; do
	wait_gone "$h"
done

# The same with faststop (rc.shutdown): exit 0.
rm -f /var/run/jso.d/child.started
expect_exit 0 service jso onestart
wait_until test -s /var/run/jso.d/child.started || fail "the helper never started"
wait_until svcj_hostpid jso >/dev/null || fail "no daemon"
pid=$(svcj_hostpid jso)
kill -9 "$pid"
wait_gone "$pid"
helpers=$(pids_in_jail svcj-jso)
[ -n "$helpers" ] || fail "the helper did not keep svcj-jso alive"
rc_conf_set jso_enable YES
expect_exit 0 service jso faststop
svcj_wait_nojail svcj-jso
for h in $helpers; do
	wait_gone "$h"
done

rm -f /var/run/jso.d/child.started
expect_exit 0 service jso onestart
assert_jail svcj-jso
expect_exit 0 service jso onestop
svcj_wait_nojail svcj-jso
