# svcj_restart_cmd: a jailed service's own restart_cmd runs, inside the
# service jail (it sees the daemon with jid 0), while the jail exists.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jrc <<'RC'
restart_cmd=jrc_restart
jrc_restart()
{
	ps -o jid= -o command= -p "$(cat "$pidfile")" |
	    while read -r j c; do
		[ "$c" = "/bin/sleep 600" ] && echo "$j"
	    done > /var/run/jrc.d/restart.ran
}
RC
rc_conf_set jrc_svcj YES

expect_exit 0 service jrc onestart
assert_jail svcj-jrc
expect_exit 0 service jrc onerestart
assert_file /var/run/jrc.d/restart.ran
assert_eq "$(cat /var/run/jrc.d/restart.ran)" 0 "jid of the daemon seen by restart_cmd"
expect_exit 0 service jrc onestop
svcj_wait_nojail svcj-jrc
