# The /etc/rc-like boot driver: one shell reads rc.conf once and starts
# every enabled script of /etc/rc.d and /usr/local/etc/rc.d.

for n in pboota pbootb pbootc; do
	if [ "$n" = pboota ]; then
		f="-b $n"
	else
		f=$n
	fi
	# shellcheck disable=SC2086 # -b and the name
	write_rc_script $f <<RC
#!/bin/sh
. /etc/rc.subr
name=$n
rcvar=${n}_enable
pidfile=/var/run/$n.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p \$pidfile \$procname 600"
load_rc_config \$name
run_rc_command "\$1"
RC
done
rc_conf_set pboota_enable YES
rc_conf_set pbootb_enable YES
rc_conf_set pbootc_enable NO
echo 'echo read >> /var/db/svcj-test/rcconf-reads' >> /etc/rc.conf

expect_exit 0 sh /etc/rc autoboot
expect_stdout_match '^Starting pboota\.$'
expect_stdout_match '^Starting pbootb\.$'
expect_stdout_nomatch 'pbootc'
expect_exit 0 cat /var/db/svcj-test/rcconf-reads
expect_stdout_equals read
pa=$(pid_from_file /var/run/pboota.pid) || fail "pboota has no pidfile"
pb=$(pid_from_file /var/run/pbootb.pid) || fail "pbootb has no pidfile"
assert_alive "$pa"
assert_alive "$pb"
assert_no_file /var/run/pbootc.pid
expect_exit 0 service -e
expect_stdout_match '^/etc/rc.d/pboota$'
expect_stdout_match '^/usr/local/etc/rc.d/pbootb$'
expect_stdout_nomatch pbootc
expect_exit 0 service pboota stop
expect_exit 0 service pbootb stop
assert_gone "$pa"
assert_gone "$pb"
