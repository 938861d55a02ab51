# svcj_boot: at boot, one parent shell (/etc/rc) reads rc.conf once and
# starts every script: the jailed ones each land in their own service
# jail, the unjailed one on the host.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script -b jba </dev/null
svcj_script jbb </dev/null
svcj_script jbc </dev/null
rc_conf_set jba_enable YES
rc_conf_set jbb_enable YES
rc_conf_set jbc_enable YES
rc_conf_set jba_svcj YES
rc_conf_set svcj_all_enable YES
rc_conf_set jbc_svcj NO
echo 'echo read >> /var/db/svcj-test/rcconf-reads' >> /etc/rc.conf

expect_exit 0 sh /etc/rc autoboot
expect_stderr_nomatch 'is not set properly'
expect_exit 0 cat /var/db/svcj-test/rcconf-reads
expect_stdout_equals read

assert_jail svcj-jba
assert_jail svcj-jbb
assert_no_jail svcj-jbc
assert_eq "$(svcj_jid_of_daemon jba)" "$(jid_of_jail svcj-jba)" "jid of jba"
assert_eq "$(svcj_jid_of_daemon jbb)" "$(jid_of_jail svcj-jbb)" "jid of jbb"
assert_eq "$(svcj_jid_of_daemon jbc)" 0 "jid of jbc"

for n in jba jbb jbc; do
	expect_exit 0 service "$n" stop
done
svcj_wait_nojail svcj-jba
svcj_wait_nojail svcj-jbb
