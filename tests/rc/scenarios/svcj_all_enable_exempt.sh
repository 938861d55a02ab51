# svcj_all_enable_exempt: the newest base's opt-outs and the nojail rule.
# A base /etc/rc.d script that the newest base opts out of service jails
# (here ldconfig) stays on the host on every rc.subr, under
# svcj_all_enable and even with its own ldconfig_svcj=YES (base's line
# overrides the admin's).  Under svcj_all_enable only, a script that
# declares "# KEYWORD: nojail" and no default options stays on the host;
# its own ${name}_svcj=YES still jails it, and a nojail script that
# declares default options (as base's lockd does) is jailed.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script -b ldconfig </dev/null
svcj_script nja <<'EOF2'
# KEYWORD: nojail shutdown
EOF2
svcj_script njb <<'EOF2'
# KEYWORD: nojail
EOF2
svcj_script njo <<'EOF2'
# KEYWORD: nojail
: "${njo_svcj_options:=net_basic}"
EOF2
svcj_script njv <<'EOF2'
# KEYWORD: nojailvnet
EOF2
rc_conf_set svcj_all_enable YES
rc_conf_set njb_svcj YES

expect_exit 0 service ldconfig onestart
assert_no_jail svcj-ldconfig
assert_eq "$(svcj_jid_of_daemon ldconfig)" 0 "jid of ldconfig"
expect_exit 0 service ldconfig onestop

rc_conf_set ldconfig_svcj YES
expect_exit 0 service ldconfig onestart
assert_no_jail svcj-ldconfig
expect_exit 0 service ldconfig onestop

expect_exit 0 service nja onestart
expect_stderr_nomatch 'not set properly'
assert_no_jail svcj-nja
assert_eq "$(svcj_jid_of_daemon nja)" 0 "jid of nja"
expect_exit 0 service nja onestop

expect_exit 0 service njb onestart
assert_jail svcj-njb
expect_exit 0 service njb onestop
svcj_wait_nojail svcj-njb

expect_exit 0 service njo onestart
assert_jail svcj-njo
expect_exit 0 service njo onestop
svcj_wait_nojail svcj-njo

# nojailvnet is another keyword: not exempt.
expect_exit 0 service njv onestart
assert_jail svcj-njv
expect_exit 0 service njv onestop
svcj_wait_nojail svcj-njv
