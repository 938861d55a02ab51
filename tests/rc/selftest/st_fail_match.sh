# Self-test of the harness: output that does not match fails it.
expect_exit 0 echo hi
expect_stdout_match bye
