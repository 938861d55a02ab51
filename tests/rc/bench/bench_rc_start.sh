# bench_rc_start: the benchmark of bench/run.sh (not a test; run by
# bench/rc-start.sh as "run.sh -v -d bench -e SVCJ_BENCH_RUNS=N
# bench_rc_start"): `service NAME onestart` of a default-method rc.d
# service (daemon(8) running sleep), jailed and unjailed, timed by
# hyperfine (N runs each, default 30); every start is preceded by an
# untimed stop.  The hyperfine export is printed between BEGIN-JSON and
# END-JSON.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
command -v hyperfine >/dev/null 2>&1 || skip "hyperfine is not installed"
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

hyperfine -N --warmup 2 --runs "$_rcb_runs" --export-json /tmp/rc-start.json \
    --prepare "sh -c 'service rcbj onestop >/dev/null 2>&1; service rcbu onestop >/dev/null 2>&1; exit 0'" \
    -n unjailed "service rcbu onestart" \
    -n jailed "service rcbj onestart" >/dev/null 2>/tmp/hyperfine.err ||
    fail "hyperfine failed: $(cat /tmp/hyperfine.err)"
# The last prepare stopped one of them.
run service rcbj onestop
run service rcbu onestop
svcj_wait_nojail svcj-rcbj
[ -z "$(svcj_hostpid rcbu)" ] || fail "rcbu still runs"
echo BEGIN-JSON
cat /tmp/rc-start.json
echo END-JSON
