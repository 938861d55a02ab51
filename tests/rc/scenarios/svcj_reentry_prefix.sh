# svcj_reentry_prefix: a method re-entered in the jail gets the one, force
# or quiet prefix and the extra arguments of the command, as base's
# "${_rc_prefix}start $rc_extra_args" -- never fast (base keeps no prefix
# for fast).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jpx <<'EOF2'
start_cmd=jpx_start
jpx_start()
{
	echo "fast=${rc_fast:-} force=${rc_force:-} quiet=${rc_quiet:-} args=$*" \
	    > /var/run/jpx.d/seen
	/usr/sbin/daemon -p "$pidfile" /bin/sleep 600
}
EOF2
# Pass the extra arguments on, as scripts that take them do.
# shellcheck disable=SC2016 # rc.d script text
sed -i 's/^run_rc_command "\$1"$/run_rc_command "$@"/' /usr/local/etc/rc.d/jpx
grep -q '^run_rc_command "\$@"$' /usr/local/etc/rc.d/jpx || fail "cannot edit jpx"
rc_conf_set jpx_enable YES
rc_conf_set jpx_svcj YES

expect_exit 0 service jpx faststart a b
assert_jail svcj-jpx
assert_eq "$(cat /var/run/jpx.d/seen)" "fast= force= quiet= args=a b" "faststart inside"
expect_exit 0 service jpx stop
svcj_wait_nojail svcj-jpx

expect_exit 0 service jpx forcestart c
assert_eq "$(cat /var/run/jpx.d/seen)" "fast= force=yes quiet= args=c" "forcestart inside"
expect_exit 0 service jpx stop
svcj_wait_nojail svcj-jpx

expect_exit 0 service jpx quietstart
assert_eq "$(cat /var/run/jpx.d/seen)" "fast= force= quiet=yes args=" "quietstart inside"
expect_exit 0 service jpx stop
svcj_wait_nojail svcj-jpx
