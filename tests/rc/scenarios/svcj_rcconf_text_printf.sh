# svcj_rcconf_text_printf: text from rc.conf is printed as it is written.
# FreeBSD sh's echo does not interpret backslashes; dash's does, so the
# shims print such text with printf '%s\n': an unknown option word
# "a\tb" is reported with its backslash, not with a tab.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jbs </dev/null
rc_conf_set jbs_svcj YES
# shellcheck disable=SC2016 # written to rc.conf as is
printf '%s\n' 'jbs_svcj_options="a\tb\c"' >> /etc/rc.conf

expect_exit 0 service jbs onestart
expect_stdout_match '^jbs: unknown service jail option: a\\tb\\c$'
assert_jail svcj-jbs
expect_exit 0 service jbs onestop
svcj_wait_nojail svcj-jbs
