# svcj_boot_usr_local_late: /usr/local is a file system of its own that
# appears only when mountcritlocal runs.  /etc/rc reads rc.subr, the hook
# text (in /etc/local.rc.subr, or in /etc/rc.conf where rc.subr never reads
# local.rc.subr) and rc.conf once, before that, so the hook cannot load
# then.  With the text svcj-tools asks for
# (share/svcj-tools/local.rc.subr) nothing that asked for a jail
# starts without one: an early service with its own ${name}_svcj=YES is
# refused, early "KEYWORD: nojail" scripts run under svcj_all_enable, and
# every service after mountcritlocal -- in /etc/rc.d and in
# /usr/local/etc/rc.d -- lands in its jail.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
# Where `svcj-check preflight` tells an admin to put it: local.rc.subr,
# or rc.conf on an rc.subr that never reads local.rc.subr (12.x-14.1).
place=$(rc_hook_boot_safe)
note "boot-safe hook text in $place"
svcj_script -b aroot <<'EOF2'
# KEYWORD: nojail
EOF2
svcj_script -b ajy </dev/null
svcj_script -b zjx </dev/null
svcj_script jlx </dev/null
write_rc_script -b mountcritlocal <<'EOF2'
#!/bin/sh
# PROVIDE: mountcritlocal
# KEYWORD: nojail shutdown
. /etc/rc.subr
name=mountcritlocal
start_cmd=mcl_start
stop_cmd=:
mcl_start()
{
	umount /usr/local && echo mounted > /var/db/mcl.done
}
load_rc_config $name
run_rc_command "$1"
EOF2
for n in aroot ajy zjx jlx; do
	rc_conf_set "${n}_enable" YES
done
rc_conf_set svcj_all_enable YES
rc_conf_set ajy_svcj YES
# /usr/local as the boot finds it: an empty mount point.
mount -t tmpfs -o size=16k tmpfs /usr/local 2>/dev/null ||
    skip "cannot hide /usr/local with a mount here"

expect_exit 0 sh /etc/rc autoboot /etc/rc.d/aroot /etc/rc.d/ajy \
    /etc/rc.d/mountcritlocal /etc/rc.d/zjx /usr/local/etc/rc.d/jlx
assert_file /var/db/mcl.done
expect_stderr_match '^ajy: service jail requested, but svcj-tools cannot be loaded'
expect_stderr_nomatch 'is not set properly'

assert_eq "$(svcj_jid_of_daemon aroot)" 0 "jid of aroot (nojail, before the mount)"
assert_no_jail svcj-aroot
assert_no_jail svcj-ajy
svcj_pid ajy >/dev/null && fail "ajy was started without its jail"
assert_jail svcj-zjx
assert_eq "$(svcj_jid_of_daemon zjx)" "$(jid_of_jail svcj-zjx)" "jid of zjx"
assert_jail svcj-jlx
assert_eq "$(svcj_jid_of_daemon jlx)" "$(jid_of_jail svcj-jlx)" "jid of jlx"

for n in zjx jlx aroot; do
	expect_exit 0 service "$n" stop
done
svcj_wait_nojail svcj-zjx
svcj_wait_nojail svcj-jlx
