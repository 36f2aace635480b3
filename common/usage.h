/*
 * Usage errors, said the same way by every program: "NAME: what was
 * wrong", a hint to --help, and exit status USAGE_EXIT.
 */
#ifndef USAGE_H
#define USAGE_H

#define USAGE_EXIT	2

void	usage_set_name(const char *);
void	usage_error(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
void	usage_bad_option(int, char *const *) __attribute__((noreturn));

#endif
