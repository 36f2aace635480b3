/*
 * The server's CPU time and peak memory from /proc, where there is one,
 * and our own descriptor limit.
 */
#include "config.h"

#include <sys/types.h>
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"

/* User plus system time, from the 14th and 15th fields of /proc/PID/stat. */
int
proc_cpu_ns(long pid, uint64_t *ns)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 utime, stime;
	long			 hz = sysconf(_SC_CLK_TCK);
	FILE			*f;
	size_t			 n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (hz <= 0 || (f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name is in parentheses and may hold anything. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu", &utime, &stime) != 2)
		return -1;
	*ns = (uint64_t)(utime + stime) * NS_PER_SEC / (uint64_t)hz;
	return 0;
}

/* VmHWM, the most resident memory the process ever had. */
int
proc_peak_rss_kb(long pid, uint64_t *kb)
{
	char			 path[64], line[256];
	unsigned long long	 v;
	FILE			*f;
	int			 found = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmHWM: %llu kB", &v) == 1) {
			*kb = v;
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Room for n connections and a few more; -1 if the hard limit is lower. */
int
proc_raise_fd_limit(unsigned int n)
{
#ifdef HAVE_SYS_RESOURCE_H
	struct rlimit	rl;
	rlim_t		want = (rlim_t)n + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
			return -1;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			return -1;
	}
#endif
	return 0;
}
