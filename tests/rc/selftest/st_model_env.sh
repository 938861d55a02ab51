# Model test: env -L (usr.bin/env/env.c) adds a login class's
# environment from /etc/login.conf; service(8) runs scripts with
# "env -i -L -/daemon" as service.sh does; su -m runs the caller's login
# shell (usr.bin/su/su.c), so a user whose shell is nologin still runs
# rc.subr's command.

expect_exit 0 env -i -L -/daemon X=1 /usr/bin/env
expect_stdout_match '^LANG=C\.UTF-8$'
expect_stdout_match '^MM_CHARSET=UTF-8$'
expect_stdout_match '^BLOCKSIZE=K$'
expect_stdout_match '^PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin$'
expect_stdout_match '^X=1$'
expect_exit 1 env -L nosuchuser /usr/bin/true
expect_stderr_match '^env: no such user: nosuchuser$'

cat > /etc/rc.d/stenv <<'SH'
#!/bin/sh
/usr/bin/env
SH
chmod 755 /etc/rc.d/stenv
expect_exit 0 service stenv start
expect_stdout_match '^LANG=C\.UTF-8$'
expect_stdout_match '^HOME=/$'
expect_stdout_match '^PATH=/sbin:/bin:/usr/sbin:/usr/bin$'

# svcjtest's login shell is nologin; su -m still runs a shell.
# shellcheck disable=SC2016 # expanded by su's shell
expect_exit 0 su -m svcjtest -c 'echo "$(id -u) ran"'
expect_stdout_equals "4242 ran"
expect_exit_nonzero su svcjtest -c 'echo ran'
