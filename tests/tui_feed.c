/*
 * A one-shot line server for the chat-tui tests, standing in for any
 * line-based server that sends what it likes: it listens on 127.0.0.1
 * on a free port, prints the port, sends its stdin to the first client,
 * then holds the connection until the client closes it, or with -c
 * closes it at once.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "common/net.h"

static void
feed(int fd)
{
	char	buf[4096];
	ssize_t	n, off, w;

	while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0) {
		for (off = 0; off < n; off += w) {
			w = write(fd, buf + off, (size_t)(n - off));
			if (w == -1 && errno != EINTR)
				err(1, "write");
			if (w == -1)
				w = 0;
		}
	}
}

int
main(int argc, char **argv)
{
	struct pollfd	pfd;
	char		*cause, buf[4096];
	int		 lfd, fd, close_at_end;

	close_at_end = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'c';

	lfd = net_listen("127.0.0.1", "0", 1, &cause);
	if (lfd == -1)
		errx(1, "%s", cause);
	printf("%d\n", net_local_port(lfd));
	fflush(stdout);
	pfd.fd = lfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, -1) == -1 || (fd = accept(lfd, NULL, NULL)) == -1)
		err(1, "accept");
	feed(fd);
	while (!close_at_end && read(fd, buf, sizeof buf) > 0)
		;
	return 0;
}
