# svcj_options_unknown: an unknown option word is reported on stdout with
# rc.subr's message and the service starts with the words understood
# (net_basic: the jail inherits the host's addresses).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsk </dev/null
rc_conf_set jsk_svcj YES
rc_conf_set jsk_svcj_options "net_basic nosuchoption"

expect_exit 0 service jsk onestart
expect_stdout_match '^jsk: unknown service jail option: nosuchoption$'
assert_jail svcj-jsk
assert_eq "$(jls -j svcj-jsk ip4)" inherit "ip4 of svcj-jsk"
expect_exit 0 service jsk onestop
svcj_wait_nojail svcj-jsk
