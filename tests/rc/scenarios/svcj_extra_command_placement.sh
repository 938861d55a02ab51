# svcj_extra_command_placement: a script's extra command runs on the host
# (it sees the daemon with the jail's JID) unless the script declares
# ${name}_${cmd}_svcj_enable=YES (then it sees it with jid 0).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jxp <<'RC'
extra_commands="probe"
probe_cmd=jxp_probe
jxp_probe_svcj_enable="NO"
jxp_probe()
{
	ps -o jid= -o command= -p "$(cat "$pidfile")" |
	    while read -r j c; do
		[ "$c" = "/bin/sleep 600" ] && echo "$j"
	    done > /var/run/jxp.d/probe.out
}
RC
rc_conf_set jxp_svcj YES

expect_exit 0 service jxp onestart
jid=$(jid_of_jail svcj-jxp) || fail "no svcj-jxp"
[ "$jid" -ne 0 ] || fail "svcj-jxp has JID 0"

expect_exit 0 service jxp oneprobe
assert_eq "$(cat /var/run/jxp.d/probe.out)" "$jid" "probe on the host"

rm -f /var/run/jxp.d/probe.out
sed -i 's/jxp_probe_svcj_enable="NO"/jxp_probe_svcj_enable="YES"/' \
    /usr/local/etc/rc.d/jxp
expect_exit 0 service jxp oneprobe
assert_eq "$(cat /var/run/jxp.d/probe.out)" 0 "probe inside"

expect_exit 0 service jxp onestop
svcj_wait_nojail svcj-jxp
