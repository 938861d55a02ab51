# svcj-tools: build, install, test.
#
# This Makefile is read by GNU make (Linux) and by BSD make (FreeBSD's
# make, bmake), so it keeps to what both understand: plain and ?=
# assignments, ${VAR} references, .PHONY, shell loops in recipes.  No
# conditionals, no GNU functions, no :=, no $(shell ...), and no recipe
# relies on an earlier line's cd (bmake -j runs a recipe in one shell).
#
#	make			build the release binaries (cargo)
#	make install		install into ${DESTDIR}${PREFIX}
#	make test		run every test (tests/run-all.sh)
#	make demo		a sample rc.d service in a service jail
#	make lint		formatting, clippy (Linux and FreeBSD), shell lint
#				(tests/rc/lint.sh), mandoc
#	make freebsd		FreeBSD binaries from Linux (cargo-zigbuild)
#	make crates		regenerate the port's Makefile.crates
#	make check-port		plist, crates, man pages vs the tools
#
# install does not build: it copies what is in ${BINDIR_SRC}, so that the
# FreeBSD port (which runs cargo itself) and the tests can point it at
# their own build, e.g. make install BINDIR_SRC=target/debug.

PREFIX?=	/usr/local
DESTDIR?=
CARGO?=		cargo
BINDIR_SRC?=	target/release

INSTALL?=		install
INSTALL_PROGRAM?=	${INSTALL} -m 0555
INSTALL_SCRIPT?=	${INSTALL} -m 0555
INSTALL_DATA?=		${INSTALL} -m 0444
INSTALL_MAN?=		${INSTALL} -m 0444
INSTALL_DIR?=		${INSTALL} -d -m 0755

TOOLS=		svcj-exec svcj-kill svcj-check
MANPAGES7=	svcj-tools.7
MANPAGES8=	svcj-exec.8 svcj-kill.8 svcj-check.8
HOOK=		rc.subr.d/svcj-tools.sh

SBIN_DEST=	${DESTDIR}${PREFIX}/sbin
DATA_DEST=	${DESTDIR}${PREFIX}/share/svcj-tools
HOOK_DEST=	${DESTDIR}${PREFIX}/etc/rc.subr.d
MAN7_DEST=	${DESTDIR}${PREFIX}/share/man/man7
MAN8_DEST=	${DESTDIR}${PREFIX}/share/man/man8

FREEBSD_TARGET=	x86_64-unknown-freebsd

.PHONY: all install uninstall test demo lint clean freebsd crates check-port

all:
	${CARGO} build --release

install:
	@for t in ${TOOLS}; do \
		if [ ! -f "${BINDIR_SRC}/$$t" ]; then \
			echo "make install: ${BINDIR_SRC}/$$t not found: run 'make' first, or set BINDIR_SRC to the directory holding the built tools" >&2; \
			exit 1; \
		fi; \
	done
	@if [ ! -f "${HOOK}" ]; then \
		echo "make install: ${HOOK} not found: run make from the top of the svcj-tools source tree" >&2; \
		exit 1; \
	fi
	${INSTALL_DIR} "${SBIN_DEST}" "${DATA_DEST}" "${HOOK_DEST}" "${MAN7_DEST}" "${MAN8_DEST}"
	@for t in ${TOOLS}; do \
		echo "${INSTALL_PROGRAM} ${BINDIR_SRC}/$$t ${SBIN_DEST}/$$t"; \
		${INSTALL_PROGRAM} "${BINDIR_SRC}/$$t" "${SBIN_DEST}/$$t" || exit 1; \
	done
	@for f in shims/*; do \
		[ -f "$$f" ] || continue; \
		if [ -x "$$f" ]; then \
			echo "${INSTALL_SCRIPT} $$f ${DATA_DEST}/"; \
			${INSTALL_SCRIPT} "$$f" "${DATA_DEST}/" || exit 1; \
		else \
			echo "${INSTALL_DATA} $$f ${DATA_DEST}/"; \
			${INSTALL_DATA} "$$f" "${DATA_DEST}/" || exit 1; \
		fi; \
	done
	${INSTALL_DATA} "${HOOK}" "${HOOK_DEST}/svcj-tools.sh"
	@for m in ${MANPAGES7}; do \
		echo "${INSTALL_MAN} man/$$m ${MAN7_DEST}/"; \
		${INSTALL_MAN} "man/$$m" "${MAN7_DEST}/" || exit 1; \
	done
	@for m in ${MANPAGES8}; do \
		echo "${INSTALL_MAN} man/$$m ${MAN8_DEST}/"; \
		${INSTALL_MAN} "man/$$m" "${MAN8_DEST}/" || exit 1; \
	done

uninstall:
	@for t in ${TOOLS}; do rm -f "${SBIN_DEST}/$$t"; done
	@for f in shims/*; do \
		[ -f "$$f" ] || continue; \
		rm -f "${DATA_DEST}/$${f##*/}"; \
	done
	-@rmdir "${DATA_DEST}" 2>/dev/null
	rm -f "${HOOK_DEST}/svcj-tools.sh"
	@for m in ${MANPAGES7}; do rm -f "${MAN7_DEST}/$$m" "${MAN7_DEST}/$$m.gz"; done
	@for m in ${MANPAGES8}; do rm -f "${MAN8_DEST}/$$m" "${MAN8_DEST}/$$m.gz"; done

test:
	sh tests/run-all.sh

demo:
	sh tests/rc/demo.sh

lint:
	${CARGO} fmt --check
	${CARGO} clippy --all-targets -- -D warnings
	${CARGO} clippy --all-targets --target ${FREEBSD_TARGET} -- -D warnings
	sh tests/rc/lint.sh
	mandoc -Tlint -Wwarning man/*.7 man/*.8

clean:
	${CARGO} clean
	rm -rf .stage

freebsd:
	sh scripts/build-freebsd.sh

crates:
	sh scripts/cargo-crates.sh Cargo.lock > ports/sysutils/svcj-tools/Makefile.crates

check-port:
	sh tests/port/check.sh
