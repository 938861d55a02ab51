#!/bin/sh
#
# run-all.sh - the one command that runs every check of svcj-tools.
#
# Usage: sh tests/run-all.sh [--no-install]
#
# On a fresh Debian machine (as root) it first installs what the checks
# need (apt packages, the FreeBSD rust target, cargo-zigbuild), then runs
# formatting, clippy for Linux and FreeBSD, the build with the oldest Rust
# that Cargo.toml's rust-version promises, the Rust unit and integration
# tests, the shell lint, the rc-level scenarios under dash and busybox ash,
# the port/man-page checks, the FreeBSD cross build, and the short soak.
# Every stage runs even if an earlier one failed; the exit status is
# non-zero if any stage failed.

set -u

_rt_top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd) || exit 70
cd "$_rt_top" || exit 70

_rt_install=yes
[ "${1:-}" = "--no-install" ] && _rt_install=no

_rt_passed=0
_rt_failed=0
_rt_failures=""

# _rt_stage name command [args...]
#	Run one stage, time it, and record whether it passed.
_rt_stage()
{
	local _name _start _end _rc

	_name=$1
	shift
	printf '\n=== %s: %s\n' "$_name" "$*"
	_start=$(date +%s)
	"$@"
	_rc=$?
	_end=$(date +%s)
	if [ "$_rc" -eq 0 ]; then
		_rt_passed=$((_rt_passed + 1))
		printf '=== %s: ok (%ss)\n' "$_name" "$((_end - _start))"
	else
		_rt_failed=$((_rt_failed + 1))
		_rt_failures="$_rt_failures $_name"
		printf '=== %s: FAILED with status %s (%ss)\n' "$_name" "$_rc" \
		    "$((_end - _start))"
	fi
}

# _rt_install_prereqs
#	Install the packages and toolchain pieces the checks need.  Quiet
#	when everything is already there.
# shellcheck disable=SC2317 # called through _rt_stage
_rt_install_prereqs()
{
	local _pkgs _p _missing

	if ! command -v rustup >/dev/null 2>&1 ||
	    ! command -v cargo >/dev/null 2>&1; then
		echo "run-all: rustup and cargo are missing: install Rust with rustup (https://rustup.rs), then rerun" >&2
		return 1
	fi
	_pkgs="busybox shellcheck mandoc file bmake time iproute2 util-linux procps gcc libc6-dev"
	_missing=""
	for _p in $_pkgs; do
		dpkg -s "$_p" >/dev/null 2>&1 || _missing="$_missing $_p"
	done
	if [ -n "$_missing" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "run-all: missing packages:$_missing (run as root to install)" >&2
			return 1
		fi
		echo "run-all: installing:$_missing"
		# shellcheck disable=SC2086 # deliberate word list
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq $_missing >/dev/null; } || return 1
	fi
	rustup target list --installed 2>/dev/null |
	    grep -qx x86_64-unknown-freebsd ||
	    rustup target add x86_64-unknown-freebsd || return 1
	rustup component list --installed 2>/dev/null | grep -q '^clippy' ||
	    rustup component add clippy rustfmt || return 1
	return 0
}

# _rt_msrv_missing version command
#	Run command (a rustup installation for Rust version), or with
#	--no-install say what is missing and how to install it, and fail.
# shellcheck disable=SC2317 # called through _rt_stage
_rt_msrv_missing()
{
	if [ "$_rt_install" != yes ]; then
		echo "run-all: a piece of Rust $1 is missing; install it with: $2" >&2
		return 1
	fi
	# shellcheck disable=SC2086 # deliberate word list
	$2
}

# _rt_msrv
#	Check the build with the toolchain named by rust-version in
#	Cargo.toml (x.y means x.y.0, the oldest it promises), for Linux and
#	for the FreeBSD target, with the locked dependencies.  The toolchain
#	(minimal profile) and its FreeBSD standard library are installed when
#	missing, unless --no-install was given.  Its own target directory
#	(target/msrv) keeps the main build's artifacts intact.
# shellcheck disable=SC2317 # called through _rt_stage
_rt_msrv()
{
	local _v _rc

	_v=$(sed -n 's/^rust-version[[:space:]]*=[[:space:]]*"\([0-9.]*\)".*/\1/p' \
	    Cargo.toml)
	if [ -z "$_v" ]; then
		echo "run-all: Cargo.toml has no rust-version" >&2
		return 1
	fi
	case $_v in
	*.*.*)	;;
	*)	_v=$_v.0 ;;
	esac
	if ! rustup toolchain list 2>/dev/null | grep -q "^$_v-"; then
		_rt_msrv_missing "$_v" "rustup toolchain install $_v --profile minimal" ||
		    return 1
	fi
	if ! rustup target list --installed --toolchain "$_v" 2>/dev/null |
	    grep -qx x86_64-unknown-freebsd; then
		_rt_msrv_missing "$_v" \
		    "rustup target add x86_64-unknown-freebsd --toolchain $_v" ||
		    return 1
	fi
	_rc=0
	cargo "+$_v" check --locked --target-dir target/msrv || _rc=1
	cargo "+$_v" check --locked --target-dir target/msrv \
	    --target x86_64-unknown-freebsd || _rc=1
	return "$_rc"
}

if [ "$_rt_install" = yes ]; then
	_rt_stage prerequisites _rt_install_prereqs
fi

_rt_stage fmt cargo fmt --check
_rt_stage clippy-linux cargo clippy --all-targets --locked -- -D warnings
_rt_stage clippy-freebsd cargo clippy --all-targets --locked \
    --target x86_64-unknown-freebsd -- -D warnings
_rt_stage msrv _rt_msrv
_rt_stage build cargo build --locked --all-targets
_rt_stage cargo-test cargo test --locked --no-fail-fast
_rt_stage shell-lint sh tests/rc/lint.sh
_rt_stage rc-dash sh tests/rc/run.sh -s dash
_rt_stage rc-ash sh tests/rc/run.sh -s ash
_rt_stage rc-selftest sh tests/rc/selftest.sh
_rt_stage port sh tests/port/check.sh
_rt_stage freebsd-elf sh scripts/build-freebsd.sh
_rt_stage soak-short sh bench/soak.sh --short

printf '\nrun-all: %s passed, %s failed\n' "$_rt_passed" "$_rt_failed"
if [ "$_rt_failed" -ne 0 ]; then
	echo "run-all: failed stages:$_rt_failures" >&2
	exit 1
fi
exit 0
