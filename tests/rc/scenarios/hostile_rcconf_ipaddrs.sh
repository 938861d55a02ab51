# hostile_rcconf_ipaddrs: ${name}_svcj_ipaddrs values holding shell
# metacharacters or malformed addresses refuse the start (the address is
# named), execute nothing, create no jail and start no daemon.

# The metacharacters in single quotes are the test data:
# shellcheck disable=SC2016
# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script hsa </dev/null
rc_conf_set hsa_svcj YES
rc_conf_set hsa_svcj_options net_basic

cp /etc/rc.conf /tmp/rc.conf.base

#
# _hsa_try value
#	Set hsa_svcj_ipaddrs to value (single-quoted in rc.conf) and check
#	that the start is refused and leaves nothing.
#
_hsa_try()
{
	rm -f /tmp/CANARY
	# A fresh rc.conf each time (a multi-line value spans lines).
	cat /tmp/rc.conf.base > /tmp/rc.conf.new
	# Single-quoted, with any ' in the value written as '\''.
	printf "hsa_svcj_ipaddrs='%s'\n" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" \
	    >> /tmp/rc.conf.new
	cat /tmp/rc.conf.new > /etc/rc.conf
	expect_exit_nonzero service hsa onestart
	if ! grep -q 'invalid address' "$ST_OUT" "$ST_ERR"; then
		cat "$ST_OUT" "$ST_ERR"
		fail "start with hsa_svcj_ipaddrs='$1' does not say 'invalid address'"
	fi
	assert_no_file /tmp/CANARY
	assert_no_jail svcj-hsa
	[ -z "$(svcj_pid hsa)" ] || fail "the daemon was started with '$1'"
}

_hsa_try '1.2.3.4;touch /tmp/CANARY'
_hsa_try '$(touch /tmp/CANARY)'
_hsa_try '127.0.0.1 `touch /tmp/CANARY`'
_hsa_try '127.0.0.1|touch /tmp/CANARY'
_hsa_try '256.1.1.1'
_hsa_try '1.2.3'
_hsa_try '127.0.0.1/8'
_hsa_try '::g'
_hsa_try '[::1]'
_hsa_try 'lo0|127.0.0.1'
