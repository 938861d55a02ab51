# svcj_options_ipaddrs: ${name}_svcj_ipaddrs gives the jail exactly those
# addresses (ip4=new), also after a restart.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsi </dev/null
rc_conf_set jsi_svcj YES
rc_conf_set jsi_svcj_options netv4
rc_conf_set jsi_svcj_ipaddrs 127.0.0.1

expect_exit 0 service jsi onestart
assert_jail svcj-jsi
assert_eq "$(jls -j svcj-jsi ip4.addr)" 127.0.0.1 "ip4.addr of svcj-jsi"
assert_eq "$(jls -j svcj-jsi ip4)" new "ip4 of svcj-jsi"
# restart (stop, then start in a new jail) keeps the options.
expect_exit 0 service jsi onerestart
assert_jail svcj-jsi
assert_eq "$(jls -j svcj-jsi ip4.addr)" 127.0.0.1 "ip4.addr after restart"
expect_exit 0 service jsi onestop
svcj_wait_nojail svcj-jsi
