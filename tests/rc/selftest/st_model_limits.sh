# Model test: the limits fake behaves as usr.bin/limits/limits.c.
# -E empties the environment, -e prints sh commands to eval (and refuses
# a command), values take limits(1)'s suffixes, an unknown class is
# reported and "default" used, and with no resource flag every limit of
# the class (/etc/login.conf: daemon has memorylocked=128M) is applied.

# shellcheck disable=SC3045 # dash and busybox ash have ulimit -H, -l
true

FOO=bar
export FOO
expect_exit 0 limits -E /usr/bin/env
expect_stdout_nomatch '^FOO='
expect_exit 0 limits -E A=1 /usr/bin/env
expect_stdout_match '^A=1$'
expect_stdout_nomatch '^FOO='
expect_exit 0 limits /usr/bin/env
expect_stdout_match '^FOO=bar$'

expect_exit 0 limits -e -n 100
expect_stdout_match '^ulimit( -[HS])? -n 100;$'
expect_exit 1 limits -e -n 100 /usr/bin/true
expect_stderr_match "-e cannot be used with .cmd' option"

expect_exit 0 limits -d 512m sh -c 'ulimit -d'
expect_stdout_equals 524288
expect_exit 0 limits -t 1h sh -c 'ulimit -t'
expect_stdout_equals 3600
if [ "$(ulimit -H -c)" = unlimited ]; then
	expect_exit 0 limits -c infinity sh -c 'ulimit -c'
	expect_stdout_equals unlimited
fi
expect_exit 0 limits -S -c 1k sh -c 'ulimit -c'
expect_stdout_equals 2
expect_exit 1 limits -d 12q /usr/bin/true
expect_stderr_match "invalid value -d .12q'"

expect_exit 0 limits -C nosuchclass /usr/bin/true
expect_stderr_match "^login class 'nosuchclass' non-existent, using default$"

# No resource flag: the class's limits all apply (/etc/login.conf:
# "default" has memorylocked=64K); with a resource flag only that one.
expect_exit 0 limits -C default sh -c 'ulimit -l'
expect_stdout_equals 64
before=$(ulimit -l)
[ "$before" != 64 ] || fail "the test needs a memorylocked limit other than 64K"
expect_exit 0 limits -C default -n 99 sh -c 'ulimit -l; ulimit -n'
expect_stdout_equals "$before
99"
