#include "options.h"
#include "units.h"
#include "writer.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

const char *options_usage(void)
{
	return "usage: spxfs [OPTIONS] ROOT MOUNTPOINT\n"
	       "Serve the host directory ROOT, and nothing outside it, at MOUNTPOINT.\n"
	       "Unmount with: fusermount3 -u MOUNTPOINT\n"
	       "\n"
	       "  -f, --foreground      stay in the foreground (default: daemonize once mounted)\n"
	       "  -o OPT[,OPT...]       FUSE mount options (allow_other, ...); may repeat\n"
	       "  -r, --read-only       refuse every change (EROFS)\n"
	       "  -t, --cache-timeout=SEC  how long the kernel may cache names and attributes\n"
	       "                        (default 1; 0 sees host-side changes at once)\n"
	       "      --audit-log=PATH  record every operation in PATH (outside ROOT; must not exist)\n"
	       "      --audit-key=FILE  chain records with HMAC-SHA256 under FILE's bytes (16-1024)\n"
	       "      --audit-sync=MODE none, batch (default: fdatasync every 100 ms) or strict\n"
	       "                        (answer only once the record is on disk)\n"
	       "      --audit-level=L   ops (default) or all (also lookups, stats, access)\n"
	       "      --max-bytes=SIZE  write quota: EDQUOT past SIZE bytes written (K, M, G, T)\n"
	       "      --undo-dir=DIR    keep what the job overwrites or deletes in DIR (outside\n"
	       "                        ROOT, empty or new; needs --audit-log): spxaudit undo\n"
	       "                        puts ROOT back\n"
	       "      --undo-max=SIZE   keep at most SIZE bytes in DIR; past it a change fails\n"
	       "                        (EDQUOT), or with --undo-full=continue the job goes on\n"
	       "                        without undo\n"
	       "      --undo-full=WHAT  fail (default) or continue\n"
	       "  -d, --debug           log every FUSE request to stderr (implies -f)\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n"
	       "      --list-syscalls   print the system calls spxfs allows itself once mounted\n"
	       "\n"
	       "Exit status: 0 after a clean unmount, 1 on a runtime failure, 2 on a usage error,\n"
	       "70 when it stopped on a system call outside its allowlist.\n";
}

static int fail(struct spxfs_options *opts, const char *what, const char *arg)
{
	(void)snprintf(opts->error, sizeof(opts->error), "%s%s%s", what, arg ? ": " : "",
		       arg ? arg : "");
	return OPTIONS_ERROR;
}

static int add_fuse_opt(struct spxfs_options *opts, const char *value)
{
	if (value[0] == '\0')
		return fail(opts, "-o needs a value", NULL);
	size_t used = strlen(opts->fuse_opts);
	int n = snprintf(opts->fuse_opts + used, sizeof(opts->fuse_opts) - used, "%s%s",
			 used ? "," : "", value);
	if (n < 0 || (size_t)n >= sizeof(opts->fuse_opts) - used)
		return fail(opts, "-o options are too long", NULL);
	return OPTIONS_RUN;
}

int options_parse(struct spxfs_options *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"foreground", no_argument, NULL, 'f'},
		{"options", required_argument, NULL, 'o'},
		{"read-only", no_argument, NULL, 'r'},
		{"debug", no_argument, NULL, 'd'},
		{"cache-timeout", required_argument, NULL, 't'},
		{"audit-log", required_argument, NULL, 'L'},
		{"audit-key", required_argument, NULL, 'K'},
		{"audit-sync", required_argument, NULL, 'S'},
		{"audit-level", required_argument, NULL, 'A'},
		{"max-bytes", required_argument, NULL, 'Q'},
		{"undo-dir", required_argument, NULL, 'U'},
		{"undo-max", required_argument, NULL, 'M'},
		{"undo-full", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"list-syscalls", no_argument, NULL, 'Y'},
		{NULL, 0, NULL, 0},
	};
	memset(opts, 0, sizeof(*opts));
	opts->cache_timeout = 1.0;
	opts->audit_sync = AUDIT_SYNC_BATCH;
	optind = 0; /* 0, not 1: also resets glibc getopt's state from a previous parse */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:fo:rt:dhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts->foreground = true;
			break;
		case 'o':
			if (add_fuse_opt(opts, optarg) != OPTIONS_RUN)
				return OPTIONS_ERROR;
			break;
		case 'r':
			opts->read_only = true;
			break;
		case 't':
			if (parse_seconds(optarg, &opts->cache_timeout) < 0)
				return fail(opts, "--cache-timeout wants seconds from 0 to 86400",
					    optarg);
			break;
		case 'L':
			opts->audit_log = optarg;
			break;
		case 'K':
			opts->audit_key = optarg;
			break;
		case 'S':
			if (strcmp(optarg, "none") == 0)
				opts->audit_sync = AUDIT_SYNC_NONE;
			else if (strcmp(optarg, "batch") == 0)
				opts->audit_sync = AUDIT_SYNC_BATCH;
			else if (strcmp(optarg, "strict") == 0)
				opts->audit_sync = AUDIT_SYNC_STRICT;
			else
				return fail(opts, "--audit-sync wants none, batch or strict", optarg);
			break;
		case 'A':
			if (strcmp(optarg, "all") != 0 && strcmp(optarg, "ops") != 0)
				return fail(opts, "--audit-level wants ops or all", optarg);
			opts->audit_all = strcmp(optarg, "all") == 0;
			break;
		case 'Q':
			if (parse_bytes(optarg, &opts->max_bytes) < 0 || opts->max_bytes == 0)
				return fail(opts, "--max-bytes wants a size like 100M", optarg);
			break;
		case 'U':
			opts->undo_dir = optarg;
			break;
		case 'M':
			if (parse_bytes(optarg, &opts->undo_max) < 0 || opts->undo_max == 0)
				return fail(opts, "--undo-max wants a size like 1G", optarg);
			break;
		case 'F':
			if (strcmp(optarg, "fail") != 0 && strcmp(optarg, "continue") != 0)
				return fail(opts, "--undo-full wants fail or continue", optarg);
			opts->undo_continue = strcmp(optarg, "continue") == 0;
			break;
		case 'd':
			opts->debug = opts->foreground = true;
			break;
		case 'h':
			return OPTIONS_HELP;
		case 'V':
			return OPTIONS_VERSION;
		case 'Y':
			return OPTIONS_LIST_SYSCALLS;
		case ':':
			return fail(opts, "option needs a value", argv[optind - 1]);
		default:
			return fail(opts, "unknown option", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return fail(opts, argc - optind < 2 ? "missing ROOT or MOUNTPOINT"
						    : "too many arguments",
			    NULL);
	if ((opts->audit_key || opts->audit_all) && opts->audit_log == NULL)
		return fail(opts, "--audit-key and --audit-level need --audit-log", NULL);
	if (opts->undo_dir != NULL && opts->audit_log == NULL)
		return fail(opts, "--undo-dir needs --audit-log (undo replays the log)", NULL);
	if ((opts->undo_max || opts->undo_continue) && opts->undo_dir == NULL)
		return fail(opts, "--undo-max and --undo-full need --undo-dir", NULL);
	if (opts->undo_dir != NULL && opts->read_only)
		return fail(opts, "--undo-dir with --read-only: nothing would change", NULL);
	opts->root = argv[optind];
	opts->mountpoint = argv[optind + 1];
	return OPTIONS_RUN;
}
