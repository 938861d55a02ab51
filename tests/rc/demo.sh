#!/bin/sh
#
# demo.sh - the README's demonstration ("make demo").
#
# demo.sh [-s dash|ash]
#
# Runs tests/rc/demo/demo.sh in a throwaway test root (see README.md in
# this directory) and prints every step: a sample rc.d service enabled
# with demo_svcj="YES" is started in a service jail, inspected from
# inside and outside, asked for its status and stopped.  Needs root.

exec sh "$(dirname "$0")/run.sh" -v -d demo "$@" demo
