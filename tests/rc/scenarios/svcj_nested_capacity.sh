# svcj_nested_capacity: on a host that is itself a jail, a start fails
# closed, with rc.subr's message and no jail, when children.max is 0 or
# when max - cur is 0; with room left it works.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jnc </dev/null
rc_conf_set jnc_svcj YES
sysctl_set security.jail.jailed 1

sysctl_set security.jail.children.max 0
sysctl_set security.jail.children.cur 0
expect_exit 1 service jnc onestart
expect_stdout_match 'ERROR: jail parameter children.max is set to 0, can not create a new service jail\.'
assert_no_jail svcj-jnc
assert_no_file /var/run/jnc.d/jnc.pid

sysctl_set security.jail.children.max 3
sysctl_set security.jail.children.cur 3
expect_exit 1 service jnc onestart
expect_stdout_match 'ERROR: max number of jail children reached, can not create a new service jail\.'
assert_no_jail svcj-jnc
assert_no_file /var/run/jnc.d/jnc.pid

sysctl_set security.jail.children.cur 1
expect_exit 0 service jnc onestart
assert_jail svcj-jnc
expect_exit 0 service jnc onestop
svcj_wait_nojail svcj-jnc
