# Model test: the test root has FreeBSD's split of the command
# directories (hier(7)): /bin and /sbin are not links into /usr, and a
# command is only where FreeBSD has it, so a wrong absolute path fails.

[ ! -L /bin ] || fail "/bin is a link"
[ ! -L /sbin ] || fail "/sbin is a link"
for c in /bin/sh /bin/sleep /bin/ps /bin/pwait /bin/kenv /bin/cpuset \
    /sbin/sysctl /usr/bin/env /usr/bin/limits /usr/bin/su /usr/bin/true \
    /usr/bin/id /usr/sbin/jls /usr/sbin/jexec /usr/sbin/jail \
    /usr/sbin/service /usr/sbin/daemon; do
	[ -x "$c" ] || fail "$c is missing"
done
for c in /bin/jls /bin/true /bin/env /bin/limits /usr/bin/ps /usr/bin/sh \
    /usr/bin/sleep /usr/bin/sysctl /usr/sbin/sysctl /usr/bin/pwait \
    /sbin/jls /sbin/service /usr/bin/kill; do
	[ ! -e "$c" ] || fail "$c exists; FreeBSD has no such file"
done
expect_exit_nonzero /bin/jls
