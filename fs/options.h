/*
 * options: the spxfs command line, parsed with getopt_long.
 *
 *   spxfs [OPTIONS] ROOT MOUNTPOINT
 *
 * options_parse() never prints and never exits: it returns one of the
 * OPTIONS_* codes and, on error, a one-line reason in opts->error.
 */
#ifndef SPX_OPTIONS_H
#define SPX_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum { OPTIONS_RUN, OPTIONS_HELP, OPTIONS_VERSION, OPTIONS_LIST_SYSCALLS, OPTIONS_ERROR };

struct spxfs_options {
	const char *root;
	const char *mountpoint;
	bool foreground;
	bool read_only;
	bool debug;
	double cache_timeout; /* seconds the kernel may cache names and attributes */
	char fuse_opts[1024]; /* the -o values joined with ',' */
	const char *audit_log;	/* NULL: no auditing */
	const char *audit_key;	/* key file for an HMAC chain */
	int audit_sync;		/* enum audit_sync */
	bool audit_all;		/* --audit-level=all */
	long long max_bytes;	/* --max-bytes, 0: none */
	const char *undo_dir;	/* --undo-dir: keep pre-images there */
	long long undo_max;	/* --undo-max, 0: none */
	bool undo_continue;	/* --undo-full=continue */
	char error[256];
};

int options_parse(struct spxfs_options *opts, int argc, char **argv);
const char *options_usage(void);

#endif
