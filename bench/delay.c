/*
 * delay.c - a fault-injection shim for bench/soak.sh (LD_PRELOAD).
 *
 * svcj-exec has no test hook of its own, so to kill it at a precise stage
 * of a start the soak preloads this library: when SVCJ_SOAK_DELAY names one
 * of the calls below (unshare, fork, mount, rename, flock, execv; "rename"
 * also holds renameat, which the registry uses), the
 * first such call made by svcj-exec or its reaper (process names
 * "svcj-exec" and "svcj-reaper"; the jailed command is left alone) writes
 * "CALL PID" to the file named by SVCJ_SOAK_MARK and then sleeps for
 * SVCJ_SOAK_DELAY_MS milliseconds (default 300) before doing the real call.  The soak waits for the mark, sends
 * SIGKILL to svcj-exec, and checks that nothing it left blocks the next
 * start.  Built by bench/soak.sh with cc; not part of the product.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static int fired;

/* Pause here when `call` is the one asked for, in a process of ours. */
static void
maybe_stop(const char *call)
{
	const char *want = getenv("SVCJ_SOAK_DELAY");
	const char *mark = getenv("SVCJ_SOAK_MARK");
	const char *ms = getenv("SVCJ_SOAK_DELAY_MS");
	struct timespec ts;
	long delay;
	char comm[17] = "";
	char line[64];
	int fd, n;

	if (fired || want == NULL || mark == NULL || strcmp(want, call) != 0)
		return;
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	if (strcmp(comm, "svcj-exec") != 0 && strcmp(comm, "svcj-reaper") != 0)
		return;
	fired = 1;
	n = snprintf(line, sizeof(line), "%s %ld\n", call, (long)getpid());
	fd = open(mark, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0)
			n = 0;
		close(fd);
	}
	delay = ms != NULL ? strtol(ms, NULL, 10) : 300;
	if (delay < 0 || delay > 60000)
		delay = 300;
	ts.tv_sec = delay / 1000;
	ts.tv_nsec = (delay % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		continue;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int
unshare(int flags)
{
	maybe_stop("unshare");
	return REAL(unshare)(flags);
}

pid_t
fork(void)
{
	maybe_stop("fork");
	return REAL(fork)();
}

int
mount(const char *src, const char *dst, const char *type, unsigned long f,
    const void *data)
{
	maybe_stop("mount");
	return REAL(mount)(src, dst, type, f, data);
}

int
rename(const char *from, const char *to)
{
	maybe_stop("rename");
	return REAL(rename)(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	maybe_stop("rename");
	return REAL(renameat)(fromfd, from, tofd, to);
}

int
flock(int fd, int op)
{
	maybe_stop("flock");
	return REAL(flock)(fd, op);
}

int
execv(const char *path, char *const argv[])
{
	maybe_stop("execv");
	return REAL(execv)(path, argv);
}
