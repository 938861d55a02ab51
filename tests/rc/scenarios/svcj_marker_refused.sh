# svcj_marker_refused: the re-entry marker (_svcjt_inside) set by hand on
# the host does not make a jailed service run its method unjailed: the
# wrapper sees that svcj-NAME is visible from where it runs and refuses.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jmk </dev/null
rc_conf_set jmk_svcj YES

# A "re-entered" stop on the host (marker set by hand) must not run the
# stop method there: refused, the daemon keeps running in its jail.
expect_exit 0 service jmk onestart
assert_jail svcj-jmk
pid=$(svcj_hostpid jmk) || fail "no daemon"
expect_exit_nonzero service -E _svcjt_inside=stop jmk onestop
expect_stderr_match '_svcjt_inside is set outside svcj-jmk'
assert_alive "$pid"
assert_jail svcj-jmk
expect_exit 0 service jmk onestop
wait_gone "$pid"
svcj_wait_nojail svcj-jmk
