# Self-test of the harness: a wrong exit status fails the scenario.
expect_exit 0 false
fail "not reached"
