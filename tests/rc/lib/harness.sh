# harness.sh - run one scenario inside the test root (run by enter.sh).
#
# /bin/sh /svcj-test/lib/harness.sh /svcj-test/scenarios/NAME.sh
#
# Sources the assertion library, then the scenario, under the shell under
# test.  A scenario that reaches its end passes (exit 0); fail exits 1,
# skip exits 77, both with the reason in /var/db/svcj-test/reason.

# shellcheck source=tests/rc/lib/assert.sh
. /svcj-test/lib/assert.sh

cd / || exit 1
# shellcheck disable=SC1090 # the scenario
. "$1"
exit 0
