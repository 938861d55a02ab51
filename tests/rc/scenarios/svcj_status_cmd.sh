# svcj_status_cmd: a jailed service's own status_cmd runs inside the
# service jail when it exists, and its status is the command's.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jsc <<'RC'
status_cmd=jsc_status
jsc_status()
{
	ps -o jid= -o command= -p "$(cat "$pidfile")" |
	    while read -r j c; do
		[ "$c" = "/bin/sleep 600" ] && echo "$j"
	    done > /var/run/jsc.d/status.ran
	echo "jsc custom status"
	return 0
}
RC
rc_conf_set jsc_svcj YES

expect_exit 0 service jsc onestart
expect_exit 0 service jsc onestatus
expect_stdout_match '^jsc custom status$'
assert_file /var/run/jsc.d/status.ran
assert_eq "$(cat /var/run/jsc.d/status.ran)" 0 "jid of the daemon seen by status_cmd"

# Without the custom method, the default status runs on the host and
# finds the daemon in the jail.
sed -i 's/^status_cmd=jsc_status$/: status_cmd unset/' /usr/local/etc/rc.d/jsc
pid=$(svcj_hostpid jsc) || fail "no daemon"
expect_exit 0 service jsc onestatus
expect_stdout_match "^jsc is running as pid $pid\.\$"
expect_exit 0 service jsc onestop
svcj_wait_nojail svcj-jsc
expect_exit 1 service jsc onestatus
expect_stdout_match '^jsc is not running\.$'
