# svcj_all_enable_rcconfd: svcj_all_enable=YES read from
# /etc/rc.conf.d/NAME (through load_rc_config) enables the service jail.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jar </dev/null
rcconf_d_set jar svcj_all_enable YES

expect_exit 0 service jar onestart
assert_jail svcj-jar
assert_eq "$(svcj_jid_of_daemon jar)" "$(jid_of_jail svcj-jar)" "jid of jar"
expect_exit 0 service jar onestop
svcj_wait_nojail svcj-jar
