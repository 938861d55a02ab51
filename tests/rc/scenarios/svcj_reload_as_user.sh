# svcj_reload_as_user: the default reload of a jailed ${name}_user service
# delivers SIGHUP inside the jail; sleep(1) dies of it.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jrl <<'RC'
extra_commands="reload"
RC
rc_conf_set jrl_svcj YES
rc_conf_set jrl_user svcjtest

expect_exit 0 service jrl onestart
pid=$(svcj_hostpid jrl) || fail "the daemon did not start"
expect_exit 0 service jrl onereload
wait_gone "$pid"
