/*
 * options: the spxbox command line (getopt_long).
 *
 *   spxbox [OPTIONS] --root DIR -- COMMAND [ARGS...]
 */
#ifndef SPX_BOX_OPTIONS_H
#define SPX_BOX_OPTIONS_H

#include <stdbool.h>
#include <sys/types.h>

enum { BOX_RUN, BOX_HELP, BOX_VERSION, BOX_LIST, BOX_ERROR };

#define BOX_MAX_MOUNTS 64
#define BOX_MAX_ENV 64

struct box_mount {
	enum { BOX_BIND, BOX_RO_BIND, BOX_TMPFS } kind;
	const char *src; /* NULL for tmpfs */
	const char *dst; /* absolute, inside the sandbox */
};

struct box_options {
	const char *root;
	const char *fs_mount; /* --fs: a running spxfs mount instead of --root */
	const char *audit_log;
	const char *audit_key;
	int audit_sync;
	bool system;
	bool allow_fork, allow_exec, net;
	long uid, gid; /* -1: default */
	const char *chdir;
	struct box_mount mounts[BOX_MAX_MOUNTS];
	int nmounts;
	const char *setenv[BOX_MAX_ENV][2];
	int nsetenv;
	const char *unsetenv[BOX_MAX_ENV];
	int nunsetenv;
	double time_limit;   /* seconds, 0: none */
	long long cpu_time;  /* seconds, 0: none */
	long long memory;    /* bytes of address space, 0: none */
	long long max_files; /* open files, 0: default */
	long long max_file_size;
	long long max_bytes; /* write quota through spxfs, 0: none */
	const char *undo_dir; /* --undo-dir: pre-images for spxaudit undo (fs/undo.h) */
	long long undo_max;   /* --undo-max, 0: none */
	bool undo_continue;   /* --undo-full=continue */
	const char *seccomp_policy; /* minijail-syntax file, or NULL */
	bool tmp_in_root;   /* --tmp root: no private tmpfs on /tmp */
	bool quiet;	    /* --quiet: no line about refused calls */
	bool read_only;	    /* --read-only: spxfs refuses every change to DIR */
	const char *netns;  /* --netns: join this network namespace (implies --net) */
	bool same_cpu;	    /* --cpu same: job and file server on one CPU (cpu_pin.h) */
	/* for spxbox-oci (oci_create.c): say "set up" on ready_fd, then wait
	 * for a byte on start_fifo before the job's execve; write the log's
	 * chain head to audit_head instead of stderr */
	int ready_fd;
	const char *start_fifo;
	const char *audit_head;
	char **command;	     /* NULL-terminated */
	char error[256];
};

int box_options_parse(struct box_options *o, int argc, char **argv);
const char *box_options_usage(void);

#endif
