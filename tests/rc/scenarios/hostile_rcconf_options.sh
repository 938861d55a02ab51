# hostile_rcconf_options: ${name}_svcj_options values holding shell
# metacharacters (command substitution, backquotes, ';', '|', '&', a
# newline) reach the shims literally (rc.conf single-quotes them): nothing
# of them is executed, each odd word is reported as an unknown option, the
# service starts jailed with the words understood, and stop leaves no jail.

# The metacharacters in single quotes are the test data:
# shellcheck disable=SC2016
# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script hso </dev/null
rc_conf_set hso_svcj YES

cp /etc/rc.conf /tmp/rc.conf.base

#
# _hso_try value
#	Set hso_svcj_options to value (single-quoted in rc.conf), start and
#	stop the service, and check that nothing was executed.
#
_hso_try()
{
	rm -f /tmp/CANARY
	# A fresh rc.conf each time (a multi-line value spans lines).
	cat /tmp/rc.conf.base > /tmp/rc.conf.new
	# Single-quoted, with any ' in the value written as '\''.
	printf "hso_svcj_options='%s'\n" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" \
	    >> /tmp/rc.conf.new
	cat /tmp/rc.conf.new > /etc/rc.conf
	expect_exit 0 service hso onestart
	expect_stdout_match '^hso: unknown service jail option: '
	assert_no_file /tmp/CANARY
	assert_jail svcj-hso
	expect_exit 0 service hso onestop
	svcj_wait_nojail svcj-hso
	assert_no_file /tmp/CANARY
}

_hso_try 'net_basic $(touch /tmp/CANARY)'
_hso_try '$(touch${IFS}/tmp/CANARY)'
_hso_try 'net_basic `touch /tmp/CANARY`'
_hso_try 'net_basic;touch /tmp/CANARY'
_hso_try 'net_basic|touch /tmp/CANARY'
_hso_try 'net_basic&touch /tmp/CANARY'
_hso_try 'net_basic && touch /tmp/CANARY'
_hso_try 'net_basic > /tmp/CANARY'
_hso_try 'net_basic
touch /tmp/CANARY'
_hso_try "net_basic ';touch /tmp/CANARY;'"
_hso_try 'net_basic "$(touch /tmp/CANARY)"'
