# Self-test of the harness: a scenario that reaches its end passes.
expect_exit 0 true
expect_exit 1 false
