# rc_subr_make_old: an rc.subr without the /etc/local.rc.subr hook (as
# before FreeBSD 14.2) ignores that file, while a line in rc.conf is
# still read (by load_rc_config) — the two places the shims can be hooked.

write_rc_script pold <<'RC'
#!/bin/sh
. /etc/rc.subr
name=pold
rcvar=pold_enable
start_cmd="echo local=\${pold_local:-unset} conf=\${pold_conf:-unset}"
load_rc_config $name
run_rc_command "$1"
RC
echo 'pold_local=read' > /etc/local.rc.subr
echo 'pold_conf=read' >> /etc/rc.conf

expect_exit 0 service pold onestart
if ! rc_subr_mentions /etc/local.rc.subr; then
	# Already an rc.subr that never reads it (FreeBSD before 14.2).
	expect_stdout_equals "local=unset conf=read"
	return 0
fi
expect_stdout_equals "local=read conf=read"

rc_subr_make_old
expect_exit 0 service pold onestart
expect_stdout_equals "local=unset conf=read"
