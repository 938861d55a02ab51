/*
 * attack.c - the attacks of tests/escape.rs, run from inside a service
 * jail (and, as a control, on the host).  One program, one subcommand per
 * attack; every attempt prints one line
 *
 *	<label> ok [detail]
 *	<label> err <errno> <message>
 *
 * so that the test can assert that the escape failed and see why.  No
 * attack changes the host even when it succeeds: kernel knobs are
 * rewritten with the value they already hold, a flag set is cleared
 * again, a real-time policy is given back, a sysrq trigger is opened and
 * never written.
 *
 * Built by the test with the system C compiler (cc, which Rust's linker
 * needs anyway).  Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define KEY_SPEC_SESSION_KEYRING (-3)
#define KEY_SPEC_USER_KEYRING (-4)
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_READ 11
#define KEYCTL_SEARCH 10

static void
report(const char *label, long r, int err, const char *detail)
{
	if (r >= 0)
		printf("%s ok %s\n", label, detail ? detail : "");
	else
		printf("%s err %d %s\n", label, err, strerror(err));
	fflush(stdout);
}

/* Read at most n-1 bytes of path into buf; -1 and errno on failure. */
static long
slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long got;

	if (fd < 0)
		return -1;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got >= 0)
		buf[got] = '\0';
	return got;
}

/* Write back the value a file holds (a no-op change when it works). */
static int
rewrite(const char *path)
{
	char buf[4096];
	long n = slurp(path, buf, sizeof buf);
	int fd;

	if (n < 0) {
		report(path, -1, errno, NULL);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		report(path, -1, errno, NULL);
		return 0;
	}
	/* Files under /sys/block/.../queue show "[none] mq-deadline":
	 * such a line cannot be written back; the open was the test. */
	if (strchr(buf, '[') == NULL && n > 0 && write(fd, buf, n) < 0) {
		report(path, -1, errno, NULL);
		close(fd);
		return 0;
	}
	close(fd);
	report(path, 0, 0, "rewritten");
	return 0;
}

/* Open for writing and close without writing (sysrq-trigger). */
static int
open_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	report(path, fd, errno, "opened for writing");
	return 0;
}

/* Move the calling process into the cgroup whose procs file is path. */
static int
cgroup_move(const char *path)
{
	char pid[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	long r;

	if (fd < 0) {
		report(path, -1, errno, NULL);
		return 0;
	}
	snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	r = write(fd, pid, strlen(pid));
	report(path, r, errno, "moved");
	close(fd);
	return 0;
}

/* How many bytes a file yields (masked files yield none). */
static int
read_file(const char *path)
{
	char buf[65536];
	char d[32];
	long n = slurp(path, buf, sizeof buf);

	snprintf(d, sizeof d, "%ld", n);
	report(path, n, errno, d);
	return 0;
}

/* syslog(2) actions that need CAP_SYSLOG: the harmless size query
 * first, and the clear (dmesg -c) only when the query was refused, so a
 * vulnerable build never loses the host's log to this test. */
static int
syslog_attack(void)
{
	int r = klogctl(9, NULL, 0); /* SYSLOG_ACTION_SIZE_UNREAD */

	report("syslog-size-unread", r, errno, NULL);
	if (r < 0) {
		r = klogctl(5, NULL, 0); /* SYSLOG_ACTION_CLEAR */
		report("syslog-clear", r, errno, NULL);
	}
	return 0;
}

static int
chattr_attack(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int flags = 0;
	int r;

	if (fd < 0) {
		report("open", -1, errno, NULL);
		return 0;
	}
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
		report("getflags", -1, errno, NULL);
		return 0;
	}
	flags |= FS_IMMUTABLE_FL;
	r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	report("chattr+i", r, errno, NULL);
	if (r == 0) {
		flags &= ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	return 0;
}

static int
fifo_attack(void)
{
	struct sched_param p = { .sched_priority = 1 };
	struct sched_param z = { .sched_priority = 0 };
	int r = sched_setscheduler(0, SCHED_FIFO, &p);

	report("sched_fifo", r, errno, NULL);
	if (r == 0)
		sched_setscheduler(0, SCHED_OTHER, &z);
	return 0;
}

/* Look a key up by description in a keyring and read its payload. */
static void
key_lookup(const char *label, long ring, const char *desc)
{
	char buf[256];
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, ring, "user", desc, 0);
	long n;

	if (id < 0) {
		report(label, -1, errno, NULL);
		return;
	}
	n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof buf - 1);
	if (n < 0) {
		report(label, -1, errno, NULL);
		return;
	}
	buf[n < (long)sizeof buf ? n : (long)sizeof buf - 1] = '\0';
	report(label, 0, 0, buf);
}

static int
key_attack(const char *desc)
{
	long id;

	key_lookup("key-user", KEY_SPEC_USER_KEYRING, desc);
	key_lookup("key-session", KEY_SPEC_SESSION_KEYRING, desc);
	id = syscall(SYS_request_key, "user", desc, NULL, 0);
	report("request_key", id, errno, NULL);
	return 0;
}

/* Host side: add a key to the user keyring (@u), print its id. */
static int
key_add(const char *ring, const char *desc, const char *payload)
{
	long kr = strcmp(ring, "@s") == 0 ? KEY_SPEC_SESSION_KEYRING
					  : KEY_SPEC_USER_KEYRING;
	long id = syscall(SYS_add_key, "user", desc, payload, strlen(payload),
	    kr);
	char d[32];

	snprintf(d, sizeof d, "%ld", id);
	report("add_key", id, errno, d);
	return id < 0;
}

/* Host side: a new session keyring holding one key, then exec argv. */
static int
key_session(const char *desc, const char *payload, char **argv)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ||
	    key_add("@s", desc, payload) != 0) {
		perror("session keyring");
		return 70;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

/* Push text into the terminal on stdin, and into /dev/tty. */
static int
tiocsti_attack(const char *text, int nobody)
{
	const char *p;
	int r = 0, err = 0, fd;

	if (nobody && (setgid(65534) != 0 || setuid(65534) != 0)) {
		perror("setuid nobody");
		return 70;
	}
	for (p = text; *p && r == 0; p++) {
		r = ioctl(0, TIOCSTI, p);
		err = errno;
	}
	report(nobody ? "tiocsti-stdin-nobody" : "tiocsti-stdin", r, err, NULL);
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		report("tiocsti-devtty", -1, errno, "(no controlling terminal)");
		return 0;
	}
	for (p = text, r = 0; *p && r == 0; p++) {
		r = ioctl(fd, TIOCSTI, p);
		err = errno;
	}
	report("tiocsti-devtty", r, err, NULL);
	close(fd);
	return 0;
}

/*
 * The jailed tracer.  Every process that appears in the jail is seized
 * (PTRACE_SEIZE) as early as possible and checked while attached: its
 * capabilities and namespaces against the tracer's own.  One line per
 * new process, appended to out:
 *
 *	<pid> attach=<ok|errno> caps=<same|MORE> ns=<same|HOST>
 *
 * "MORE" or "HOST" is a process a jailed attacker could hijack.  Runs
 * until it is killed (the jail's removal) or for `limit` seconds.
 */
static void
field(const char *status, const char *key, char *out, size_t n)
{
	const char *p = strstr(status, key);
	size_t i = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != '\n' && i + 1 < n)
		out[i++] = *p++;
	out[i] = '\0';
}

static void
ns_of(int pid, const char *ns, char *out, size_t n)
{
	char path[64];
	long r;

	snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, ns);
	r = readlink(path, out, n - 1);
	out[r > 0 ? r : 0] = '\0';
}

struct self {
	char eff[32], prm[32], bnd[32];
	char mnt[64], net[64], ipc[64];
};

static void
look(int pid, struct self *s)
{
	char path[64], status[8192];

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (slurp(path, status, sizeof status) < 0) {
		s->eff[0] = '\0';
		return;
	}
	field(status, "\nCapEff:", s->eff, sizeof s->eff);
	field(status, "\nCapPrm:", s->prm, sizeof s->prm);
	field(status, "\nCapBnd:", s->bnd, sizeof s->bnd);
	ns_of(pid, "mnt", s->mnt, sizeof s->mnt);
	ns_of(pid, "net", s->net, sizeof s->net);
	ns_of(pid, "ipc", s->ipc, sizeof s->ipc);
}

static int
tracer(const char *out, const char *ready, int limit)
{
	struct self me, it;
	int fd, next, pid, misses = 0;
	time_t end = time(NULL) + limit;
	char line[256];

	look(getpid(), &me);
	fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 70;
	next = getpid() + 1;
	close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	while (time(NULL) < end) {
		long r;
		int err, st;

		/* Collect what the tracees report, let them go. */
		while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
			if (WIFSTOPPED(st)) {
				int sig = WSTOPSIG(st);
				if ((st >> 16) != 0 || sig == SIGTRAP ||
				    sig == SIGSTOP)
					sig = 0;
				ptrace(PTRACE_DETACH, pid, 0, sig);
			}
		}
		pid = next;
		r = ptrace(PTRACE_SEIZE, pid, 0, 0);
		err = errno;
		if (r != 0 && err == ESRCH) {
			/* Not there yet: also try a little further on, in
			 * case PIDs were used meanwhile. */
			if (++misses % 64 == 0) {
				int k;
				for (k = 1; k < 32; k++)
					if (kill(next + k, 0) == 0) {
						next += k;
						break;
					}
			}
			sched_yield();
			continue;
		}
		misses = 0;
		next = pid + 1;
		look(pid, &it);
		/* A process that has exited (a zombie has no namespaces
		 * left) tells nothing. */
		if (it.eff[0] == '\0' || it.mnt[0] == '\0' ||
		    it.net[0] == '\0' || it.ipc[0] == '\0')
			continue;
		snprintf(line, sizeof line, "%d attach=%s caps=%s ns=%s\n", pid,
		    r == 0 ? "ok" : strerror(err),
		    strcmp(it.eff, me.eff) || strcmp(it.prm, me.prm) ||
			    strcmp(it.bnd, me.bnd) ? "MORE" : "same",
		    strcmp(it.mnt, me.mnt) || strcmp(it.net, me.net) ||
			    strcmp(it.ipc, me.ipc) ? "HOST" : "same");
		if (write(fd, line, strlen(line)) < 0)
			return 70;
		if (r == 0 && ptrace(PTRACE_INTERRUPT, pid, 0, 0) != 0)
			ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	return 0;
}

/*
 * A CPU-saturating fork churn of processes that ignore SIGTERM: `workers`
 * loops, each keeping up to `depth` short-lived children (which also
 * fork) alive at a time.  Bounded, so it cannot eat the host's PID space.
 */
static int
churn(int workers, int depth)
{
	int i;

	signal(SIGTERM, SIG_IGN);
	for (i = 0; i < workers; i++) {
		if (fork() == 0) {
			int live = 0;
			for (;;) {
				pid_t c = fork();
				if (c == 0) {
					if (fork() == 0)
						_exit(0);
					_exit(0);
				}
				if (c > 0)
					live++;
				while (waitpid(-1, NULL, WNOHANG) > 0)
					live--;
				if (live >= depth && waitpid(-1, NULL, 0) > 0)
					live--;
			}
		}
	}
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: attack subcommand [args]\n");
		return 64;
	}
	if (strcmp(argv[1], "rewrite") == 0) {
		for (i = 2; i < argc; i++)
			rewrite(argv[i]);
		return 0;
	}
	if (strcmp(argv[1], "open-write") == 0) {
		for (i = 2; i < argc; i++)
			open_write(argv[i]);
		return 0;
	}
	if (strcmp(argv[1], "cgroup-move") == 0) {
		for (i = 2; i < argc; i++)
			cgroup_move(argv[i]);
		return 0;
	}
	if (strcmp(argv[1], "read") == 0) {
		for (i = 2; i < argc; i++)
			read_file(argv[i]);
		return 0;
	}
	if (strcmp(argv[1], "syslog") == 0)
		return syslog_attack();
	if (strcmp(argv[1], "chattr") == 0 && argc == 3)
		return chattr_attack(argv[2]);
	if (strcmp(argv[1], "fifo") == 0)
		return fifo_attack();
	if (strcmp(argv[1], "key") == 0 && argc == 3)
		return key_attack(argv[2]);
	if (strcmp(argv[1], "key-add") == 0 && argc == 5)
		return key_add(argv[2], argv[3], argv[4]);
	if (strcmp(argv[1], "key-session") == 0 && argc > 4)
		return key_session(argv[2], argv[3], argv + 4);
	if (strcmp(argv[1], "tiocsti") == 0 && argc == 3)
		return tiocsti_attack(argv[2], 0);
	if (strcmp(argv[1], "tiocsti-nobody") == 0 && argc == 3)
		return tiocsti_attack(argv[2], 1);
	if (strcmp(argv[1], "tracer") == 0 && argc == 5)
		return tracer(argv[2], argv[3], atoi(argv[4]));
	if (strcmp(argv[1], "churn") == 0 && argc == 4)
		return churn(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "attack: unknown subcommand %s\n", argv[1]);
	return 64;
}
