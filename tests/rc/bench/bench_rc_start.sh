# bench_rc_start: the benchmark of bench/run.sh (not a test; run by
# bench/rc-start.sh as "run.sh -v -d bench -o DIR -e SVCJ_BENCH_RUNS=N
# bench_rc_start", DIR holding bench/alternate.py): `service NAME
# onestart` of a default-method rc.d service (daemon(8) running sleep),
# jailed and unjailed, timed alternately (unjailed, jailed, unjailed, …)
# by alternate.py, N runs each (default 30) after 2 discarded rounds;
# every start is preceded by an untimed stop of both.  The export
# (hyperfine's JSON shape) is written to /svcj-test-out/rc-start.json.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
_rcb_timer=/svcj-test-out/alternate.py
[ -f "$_rcb_timer" ] || skip "no $_rcb_timer (run by bench/rc-start.sh)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
_rcb_runs=${SVCJ_BENCH_RUNS:-30}
case "$_rcb_runs" in
''|*[!0-9]*|0)	fail "SVCJ_BENCH_RUNS=$_rcb_runs is not a positive number" ;;
esac
rc_hook_local_subr
svcj_script rcbj </dev/null
svcj_script rcbu </dev/null
rc_conf_set rcbj_svcj YES

# Both start, the jailed one in its jail.
expect_exit 0 service rcbj onestart
assert_jail svcj-rcbj
expect_exit 0 service rcbu onestart
assert_no_jail svcj-rcbu

python3 "$_rcb_timer" --warmup 2 --runs "$_rcb_runs" \
    --export-json /svcj-test-out/rc-start.json \
    --prepare "sh -c 'service rcbj onestop >/dev/null 2>&1; service rcbu onestop >/dev/null 2>&1; exit 0'" \
    -n unjailed "service rcbu onestart" \
    -n jailed "service rcbj onestart" 2>/tmp/timer.err ||
    fail "alternate.py failed: $(cat /tmp/timer.err)"
# The last prepare stopped both; the last round started both.
run service rcbj onestop
run service rcbu onestop
svcj_wait_nojail svcj-rcbj
[ -z "$(svcj_hostpid rcbu)" ] || fail "rcbu still runs"
