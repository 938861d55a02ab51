# svcj_unjailed_unaffected: for a service without a jail the hook changes
# nothing: the transcript (stdout, stderr, status) of start, status,
# restart, reload, a custom extra command, stop and the error paths is
# the same with and without it (pids normalised; "Waiting for PIDS" left
# out: whether it shows depends on how fast the daemon exits).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
svcj_script jun <<'RC'
extra_commands="reload hello"
hello_cmd=jun_hello
jun_hello()
{
	echo "hello from jun: $rc_arg $*"
	return 4
}
start_precmd=jun_pre
jun_pre()
{
	echo "precmd of jun"
}
RC

#
# transcript file
#	Run the command sequence and append what it printed to file.
#
transcript()
{
	local c

	: > "$1"
	for c in status start status start restart reload "hello a b" \
	    rcvar describe extracommands stop stop onestart onestop bogus; do
		# shellcheck disable=SC2086 # command and its arguments
		run service jun $c
		{
			echo "== $c: $ST_STATUS"
			cat "$ST_OUT"
			echo "-- stderr"
			cat "$ST_ERR"
		} | sed -e 's/pid [0-9][0-9]*/pid N/g' \
		    -e 's/pid=[0-9][0-9]*/pid=N/g' \
		    -e '/^Waiting for PIDS: /d' >> "$1"
	done
}

rc_conf_set jun_enable YES
transcript /tmp/without
rc_hook_local_subr
transcript /tmp/with
if ! cmp -s /tmp/without /tmp/with; then
	diff -u /tmp/without /tmp/with
	fail "the transcripts differ"
fi
grep -q "^hello from jun: hello" /tmp/with || { cat /tmp/with; fail "no extra command output"; }
assert_no_jail svcj-jun

# The same with svcj_all_enable=NO set explicitly.
rc_conf_set svcj_all_enable NO
transcript /tmp/with_no
if ! cmp -s /tmp/without /tmp/with_no; then
	diff -u /tmp/without /tmp/with_no
	fail "the transcripts differ with svcj_all_enable=NO"
fi
