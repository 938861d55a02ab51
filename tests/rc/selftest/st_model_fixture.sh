# Model test: the fixture rc.subr has base's shape where behaviour depends
# on it: run_rc_command's state in globals (_return, _cmd, _precmd,
# _doit), ${name}_cpuset through /bin/cpuset, ${name}_setup before
# precmd, and base's native service jail branch (jail -c, refused in the
# test root) for ${name}_svcj=YES without the shims.

cat > /usr/local/bin/stfx-cpus <<'SH'
#!/bin/sh
echo "cpus $(taskset -cp $$ | sed 's/.*: //')"
SH
chmod 755 /usr/local/bin/stfx-cpus
cat > /usr/local/etc/rc.d/stfx <<'SH'
#!/bin/sh
. /etc/rc.subr
name=stfx
rcvar=stfx_enable
command=/usr/local/bin/stfx-cpus
start_precmd="echo precmd"
load_rc_config $name
run_rc_command "$1"
echo "_return=$_return _cmd=$_cmd _precmd=$_precmd"
echo "_doit=$_doit"
SH
chmod 755 /usr/local/etc/rc.d/stfx
rc_conf_set stfx_cpuset 0
rc_conf_set stfx_setup "echo setup"
expect_exit 0 service stfx onestart
expect_stdout_equals "setup
precmd
Starting stfx.
cpus 0
_return=0 _cmd= _precmd=echo precmd
_doit=limits -C daemon  /bin/cpuset -l 0 /usr/local/bin/stfx-cpus  "

cat > /usr/local/etc/rc.d/stnat <<'SH'
#!/bin/sh
. /etc/rc.subr
name=stnat
rcvar=stnat_enable
command=/bin/sleep
command_args="4310 &"
load_rc_config $name
run_rc_command "$1"
st=$?
echo "_doit=$_doit"
exit $st
SH
chmod 755 /usr/local/etc/rc.d/stnat
rc_conf_set stnat_svcj YES
expect_exit 1 service stnat onestart
expect_stderr_match 'jail: jail\(8\) -c is not available'
# shellcheck disable=SC2009 # the ps fake is what is looked at
ps -ax -o command= | grep -q '^/bin/sleep 4310' &&
    fail "stnat started without a jail"
rc_conf_set stnat_svcj NO
expect_exit 0 service stnat onestart
expect_stdout_match '^_doit=limits -C daemon +/bin/sleep +4310 &$'
