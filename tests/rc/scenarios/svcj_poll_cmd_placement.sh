# svcj_poll_cmd_placement: a custom poll_cmd is an extra command for
# placement, as in base: on the host (it sees the daemon with the jail's
# JID) unless the script sets ${name}_poll_svcj_enable=YES (then inside,
# where it sees it with jid 0).  The same holds for a custom reload_cmd.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
for n in jpa jpb; do
	svcj_script "$n" <<EOF2
extra_commands="reload"
poll_cmd=probe
reload_cmd=probe
probe()
{
	ps -o jid= -o command= -p "\$(cat "\$pidfile")" |
	    while read -r j c; do
		[ "\$c" = "/bin/sleep 600" ] && echo "\$j"
	    done > /var/run/$n.d/probe.out
}
EOF2
	rc_conf_set "${n}_svcj" YES
done
sed -i 's/^run_rc_command/jpb_poll_svcj_enable=YES\njpb_reload_svcj_enable=YES\nrun_rc_command/' \
    /usr/local/etc/rc.d/jpb
grep -q '^jpb_poll_svcj_enable=YES$' /usr/local/etc/rc.d/jpb || fail "cannot edit jpb"

# One at a time: a pid inside one jail is also a pid inside the other
# (pid aliasing of the test platform's ps, see tests/rc/README.md).
expect_exit 0 service jpa onestart
for cmd in poll reload; do
	rm -f /var/run/jpa.d/probe.out
	expect_exit 0 service jpa "one$cmd"
	assert_eq "$(cat /var/run/jpa.d/probe.out)" "$(jid_of_jail svcj-jpa)" \
	    "jid seen by jpa's $cmd (host)"
done
expect_exit 0 service jpa onestop
svcj_wait_nojail svcj-jpa

expect_exit 0 service jpb onestart
for cmd in poll reload; do
	rm -f /var/run/jpb.d/probe.out
	expect_exit 0 service jpb "one$cmd"
	assert_eq "$(cat /var/run/jpb.d/probe.out)" 0 "jid seen by jpb's $cmd (inside)"
done
expect_exit 0 service jpb onestop
svcj_wait_nojail svcj-jpb
