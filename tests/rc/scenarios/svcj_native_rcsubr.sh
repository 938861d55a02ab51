# svcj_native_rcsubr: on an rc.subr with service-jail code of its own
# (simulated here: the fixture given a native branch in its default start
# and rc.subr's per-service option check), the shims keep that code out of
# the way: the service is jailed once, by svcj-exec, never by the native
# branch, and an unknown option word is reported once, not twice.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
# shellcheck disable=SC2016 # rc.subr text
awk '
	{ print }
	/^run_rc_command\(\)$/ { inrrc = 1 }
	inrrc && /^\{$/ {
		print "\teval \"_nat_o=\\${${name:-x}_svcj_options:-}\""
		print "\tfor _nat_w in $_nat_o; do"
		print "\t\tcase \"$_nat_w\" in net_basic|netv4|netv6) ;;"
		print "\t\t*) echo \"${name}: unknown service jail option: $_nat_w\" ;;"
		print "\t\tesac"
		print "\tdone"
		inrrc = 0
	}
	/startmsg "Starting \$name\."/ {
		print "\t\tif checkyesno \"${name}_svcj\" && [ \"${_rc_svcj:-}\" != jailing ]; then"
		print "\t\t\techo \"native service jail code ran\" >&2"
		print "\t\t\treturn 1"
		print "\t\tfi"
		native = 1
	}
	END { exit !native }
' /etc/rc.subr > /tmp/rc.subr.native ||
    skip "this rc.subr's start branch is not the fixture's"
cat /tmp/rc.subr.native > /etc/rc.subr
rc_hook_local_subr
svcj_script jnr </dev/null
rc_conf_set jnr_svcj YES
rc_conf_set jnr_svcj_options "net_basic bogusword"

expect_exit 0 service jnr onestart
expect_stderr_nomatch 'native service jail code ran'
assert_eq "$(grep -c 'unknown service jail option: bogusword' "$ST_OUT")" 1 \
    "unknown-option messages"
assert_jail svcj-jnr
pid=$(svcj_hostpid jnr) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jnr)" "jid of the daemon"
expect_exit 0 service jnr onestatus
expect_exit 0 service jnr onerestart
expect_stderr_nomatch 'native service jail code ran'
assert_jail svcj-jnr
expect_exit 0 service jnr onestop
svcj_wait_nojail svcj-jnr

# Without the hook, the same rc.subr would have taken its native branch.
sed -i '/svcj-tools.sh/d' /etc/local.rc.subr
expect_exit_nonzero service jnr onestart
expect_stderr_match 'native service jail code ran|jail\(8\) -c is not available'
