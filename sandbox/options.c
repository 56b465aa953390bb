#include "options.h"
#include "units.h"
#include "writer.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *box_options_usage(void)
{
	return "usage: spxbox [OPTIONS] --root DIR -- COMMAND [ARGS...]\n"
	       "Run COMMAND with DIR, served by spxfs, as its /, in new namespaces, without\n"
	       "capabilities, under a seccomp allowlist that denies fork and exec.\n"
	       "\n"
	       "  --root DIR            the directory the job sees as /\n"
	       "  --fs MOUNTPOINT       use a running spxfs mount (-o allow_other) as / instead;\n"
	       "                        it must hold the mount points (/proc, /dev, ...) itself\n"
	       "  --audit-log PATH      record every file operation and sandbox event in PATH\n"
	       "  --audit-key FILE      HMAC-SHA256 chain; --audit-sync none|batch|strict\n"
	       "  --system              bind the host's /usr, /bin, /sbin, /lib* and the /etc\n"
	       "                        files dynamically linked programs need, read-only\n"
	       "  --ro-bind SRC DST, --bind SRC DST, --tmpfs DST\n"
	       "  --setenv K V, --unsetenv K, --chdir DIR\n"
	       "  --uid UID, --gid GID  the job's ids (default: yours; as root, DIR's owner's,\n"
	       "                        or nobody owning root's files when root owns DIR)\n"
	       "  --allow-fork          let the job create processes\n"
	       "  --allow-exec          let the job exec (each exec is recorded with its hash)\n"
	       "  --net                 keep the host network (and allow AF_INET/AF_INET6)\n"
	       "  --netns PATH          join the network namespace at PATH (root; as --net)\n"
	       "  --seccomp-policy FILE rules in minijail's syntax for the calls it names\n"
	       "  --time-limit SEC      kill the job after SEC seconds of wall time (exit 124)\n"
	       "  --cpu-time SEC, --memory SIZE, --max-files N, --max-file-size SIZE\n"
	       "  --max-bytes SIZE      write quota: EDQUOT past SIZE bytes written to DIR\n"
	       "  --undo-dir UNDO       keep what the job overwrites or deletes in UNDO (outside\n"
	       "                        DIR, empty or new; needs --audit-log): spxaudit undo\n"
	       "                        puts DIR back; --undo-max SIZE caps it, past which\n"
	       "                        changes fail, or go on unkept with --undo-full continue\n"
	       "  --tmp tmpfs|root      the job's /tmp: a private tmpfs, not recorded, gone\n"
	       "                        with the job (default with --root), or DIR's own\n"
	       "  --quiet               no closing line about refused system calls\n"
	       "  --read-only           refuse every change to DIR (EROFS), as spxfs --read-only\n"
	       "  --cpu same|any        run the job and its file server on one CPU, the one\n"
	       "                        spxbox starts on (default for one-process jobs with\n"
	       "                        --root), or wherever the scheduler puts them\n"
	       "  --ready-fd N, --start-fifo PATH, --audit-head FILE\n"
	       "                        for spxbox-oci: say on N when the job is set up, wait\n"
	       "                        for a byte on PATH before it runs, write the log's\n"
	       "                        chain head to FILE instead of stderr\n"
	       "  --list-syscalls       print the default allowlist (docs/syscalls.md) and exit\n"
	       "  -h, --help, -V, --version\n"
	       "\n"
	       "Exit status: the job's; 128+N if killed by signal N; 124 time limit;\n"
	       "125 spxbox failed; 126 COMMAND not executable; 127 COMMAND not found.\n";
}

static int fail(struct box_options *o, const char *what, const char *arg)
{
	(void)snprintf(o->error, sizeof(o->error), "%s%s%s", what, arg ? ": " : "", arg ? arg : "");
	return BOX_ERROR;
}

static int parse_id(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 0xFFFFFFFEL)
		return -1;
	*out = v;
	return 0;
}

static int add_mount(struct box_options *o, int kind, const char *src, const char *dst)
{
	if (o->nmounts == BOX_MAX_MOUNTS)
		return fail(o, "too many mounts", NULL);
	if (dst == NULL || dst[0] != '/')
		return fail(o, "a mount destination must be an absolute path", dst);
	o->mounts[o->nmounts++] = (struct box_mount){kind, src, dst};
	return BOX_RUN;
}

/* Options taking two values read the second from argv[optind]. */
static const char *second(int argc, char **argv)
{
	return optind < argc ? argv[optind++] : NULL;
}

int box_options_parse(struct box_options *o, int argc, char **argv)
{
	enum {
		O_ROOT = 256, O_LOG, O_KEY, O_SYNC, O_SYSTEM, O_RO_BIND, O_BIND, O_TMPFS, O_SETENV,
		O_UNSETENV, O_CHDIR, O_UID, O_GID, O_FORK, O_EXEC, O_NET, O_TIME, O_CPU, O_MEM,
		O_FILES, O_FSIZE, O_QUOTA, O_POLICY, O_FS, O_TMP, O_QUIET, O_CPU_PIN, O_READY_FD,
		O_START_FIFO, O_AUDIT_HEAD, O_READ_ONLY, O_NETNS, O_UNDO_DIR, O_UNDO_MAX, O_UNDO_FULL,
	};
	static const struct option longopts[] = {
		{"root", required_argument, NULL, O_ROOT},
		{"fs", required_argument, NULL, O_FS},
		{"audit-log", required_argument, NULL, O_LOG},
		{"audit-key", required_argument, NULL, O_KEY},
		{"audit-sync", required_argument, NULL, O_SYNC},
		{"system", no_argument, NULL, O_SYSTEM},
		{"ro-bind", required_argument, NULL, O_RO_BIND},
		{"bind", required_argument, NULL, O_BIND},
		{"tmpfs", required_argument, NULL, O_TMPFS},
		{"setenv", required_argument, NULL, O_SETENV},
		{"unsetenv", required_argument, NULL, O_UNSETENV},
		{"chdir", required_argument, NULL, O_CHDIR},
		{"uid", required_argument, NULL, O_UID},
		{"gid", required_argument, NULL, O_GID},
		{"allow-fork", no_argument, NULL, O_FORK},
		{"allow-exec", no_argument, NULL, O_EXEC},
		{"net", no_argument, NULL, O_NET},
		{"time-limit", required_argument, NULL, O_TIME},
		{"cpu-time", required_argument, NULL, O_CPU},
		{"memory", required_argument, NULL, O_MEM},
		{"max-files", required_argument, NULL, O_FILES},
		{"max-file-size", required_argument, NULL, O_FSIZE},
		{"max-bytes", required_argument, NULL, O_QUOTA},
		{"seccomp-policy", required_argument, NULL, O_POLICY},
		{"tmp", required_argument, NULL, O_TMP},
		{"quiet", no_argument, NULL, O_QUIET},
		{"cpu", required_argument, NULL, O_CPU_PIN},
		{"read-only", no_argument, NULL, O_READ_ONLY},
		{"netns", required_argument, NULL, O_NETNS},
		{"ready-fd", required_argument, NULL, O_READY_FD},
		{"start-fifo", required_argument, NULL, O_START_FIFO},
		{"audit-head", required_argument, NULL, O_AUDIT_HEAD},
		{"undo-dir", required_argument, NULL, O_UNDO_DIR},
		{"undo-max", required_argument, NULL, O_UNDO_MAX},
		{"undo-full", required_argument, NULL, O_UNDO_FULL},
		{"list-syscalls", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->uid = o->gid = -1;
	o->ready_fd = -1;
	o->audit_sync = AUDIT_SYNC_BATCH;
	optind = 0; /* 0, not 1: also resets glibc getopt's state from a previous parse */
	opterr = 0;
	int c;
	bool tmp_given = false;
	const char *cpu = NULL;
	while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
		const char *v2;
		char *end;
		switch (c) {
		case O_ROOT: o->root = optarg; break;
		case O_FS: o->fs_mount = optarg; break;
		case O_LOG: o->audit_log = optarg; break;
		case O_KEY: o->audit_key = optarg; break;
		case O_SYNC:
			if (strcmp(optarg, "none") == 0)
				o->audit_sync = AUDIT_SYNC_NONE;
			else if (strcmp(optarg, "batch") == 0)
				o->audit_sync = AUDIT_SYNC_BATCH;
			else if (strcmp(optarg, "strict") == 0)
				o->audit_sync = AUDIT_SYNC_STRICT;
			else
				return fail(o, "--audit-sync wants none, batch or strict", optarg);
			break;
		case O_SYSTEM: o->system = true; break;
		case O_RO_BIND:
		case O_BIND:
			v2 = second(argc, argv);
			if (v2 == NULL)
				return fail(o, "--bind and --ro-bind want SRC and DST", NULL);
			if (add_mount(o, c == O_BIND ? BOX_BIND : BOX_RO_BIND, optarg, v2) != BOX_RUN)
				return BOX_ERROR;
			break;
		case O_TMPFS:
			if (add_mount(o, BOX_TMPFS, NULL, optarg) != BOX_RUN)
				return BOX_ERROR;
			break;
		case O_SETENV:
			v2 = second(argc, argv);
			if (v2 == NULL || o->nsetenv == BOX_MAX_ENV)
				return fail(o, "--setenv wants K and V", NULL);
			o->setenv[o->nsetenv][0] = optarg;
			o->setenv[o->nsetenv++][1] = v2;
			break;
		case O_UNSETENV:
			if (o->nunsetenv == BOX_MAX_ENV)
				return fail(o, "too many --unsetenv", NULL);
			o->unsetenv[o->nunsetenv++] = optarg;
			break;
		case O_CHDIR: o->chdir = optarg; break;
		case O_UID:
		case O_GID:
			if (parse_id(optarg, c == O_UID ? &o->uid : &o->gid) < 0)
				return fail(o, "--uid and --gid want a number", optarg);
			break;
		case O_FORK: o->allow_fork = true; break;
		case O_EXEC: o->allow_exec = true; break;
		case O_NET: o->net = true; break;
		case O_TIME:
			errno = 0;
			o->time_limit = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->time_limit > 0 && o->time_limit < 1e7))
				return fail(o, "--time-limit wants seconds", optarg);
			break;
		case O_CPU:
			if (parse_bytes(optarg, &o->cpu_time) < 0 || o->cpu_time == 0)
				return fail(o, "--cpu-time wants whole seconds", optarg);
			break;
		case O_MEM:
			if (parse_bytes(optarg, &o->memory) < 0 || o->memory < (1 << 20))
				return fail(o, "--memory wants a size of at least 1M", optarg);
			break;
		case O_FILES:
			if (parse_bytes(optarg, &o->max_files) < 0 || o->max_files < 4)
				return fail(o, "--max-files wants a number of at least 4", optarg);
			break;
		case O_FSIZE:
			if (parse_bytes(optarg, &o->max_file_size) < 0)
				return fail(o, "--max-file-size wants a size", optarg);
			break;
		case O_QUOTA:
			if (parse_bytes(optarg, &o->max_bytes) < 0 || o->max_bytes == 0)
				return fail(o, "--max-bytes wants a size", optarg);
			break;
		case O_POLICY: o->seccomp_policy = optarg; break;
		case O_TMP:
			if (strcmp(optarg, "tmpfs") != 0 && strcmp(optarg, "root") != 0)
				return fail(o, "--tmp wants tmpfs or root", optarg);
			o->tmp_in_root = strcmp(optarg, "root") == 0;
			tmp_given = true;
			break;
		case O_QUIET: o->quiet = true; break;
		case O_CPU_PIN:
			if (strcmp(optarg, "same") != 0 && strcmp(optarg, "any") != 0)
				return fail(o, "--cpu wants same or any", optarg);
			cpu = optarg;
			break;
		case O_READY_FD: {
			long fd;
			if (parse_id(optarg, &fd) < 0 || fd < 3 || fd > 65535)
				return fail(o, "--ready-fd wants a descriptor number of at least 3", optarg);
			o->ready_fd = (int)fd;
			break;
		}
		case O_START_FIFO: o->start_fifo = optarg; break;
		case O_READ_ONLY: o->read_only = true; break;
		case O_NETNS:
			o->netns = optarg;
			o->net = true; /* its network is the job's: sockets as with --net */
			break;
		case O_AUDIT_HEAD: o->audit_head = optarg; break;
		case O_UNDO_DIR: o->undo_dir = optarg; break;
		case O_UNDO_MAX:
			if (parse_bytes(optarg, &o->undo_max) < 0 || o->undo_max == 0)
				return fail(o, "--undo-max wants a size like 1G", optarg);
			break;
		case O_UNDO_FULL:
			if (strcmp(optarg, "fail") != 0 && strcmp(optarg, "continue") != 0)
				return fail(o, "--undo-full wants fail or continue", optarg);
			o->undo_continue = strcmp(optarg, "continue") == 0;
			break;
		case 'L': return BOX_LIST;
		case 'h': return BOX_HELP;
		case 'V': return BOX_VERSION;
		case ':': return fail(o, "option needs a value", argv[optind - 1]);
		default: return fail(o, "unknown option", argv[optind - 1]);
		}
	}
	if (o->root == NULL && o->fs_mount == NULL)
		return fail(o, "--root DIR is required (or --fs MOUNTPOINT)", NULL);
	if (o->root != NULL && o->fs_mount != NULL)
		return fail(o, "--root and --fs exclude each other", NULL);
	if (o->fs_mount != NULL && o->read_only)
		return fail(o, "--read-only is the serving spxfs's option with --fs", NULL);
	if (o->fs_mount != NULL && o->max_bytes)
		return fail(o, "--max-bytes is the serving spxfs's option with --fs", NULL);
	if (optind >= argc)
		return fail(o, "no COMMAND given (spxbox [OPTIONS] --root DIR -- COMMAND)", NULL);
	if (o->audit_head != NULL && o->audit_log == NULL)
		return fail(o, "--audit-head needs --audit-log", NULL);
	if ((o->audit_key != NULL) && o->audit_log == NULL)
		return fail(o, "--audit-key needs --audit-log", NULL);
	if (o->undo_dir != NULL && o->audit_log == NULL)
		return fail(o, "--undo-dir needs --audit-log (undo replays the log)", NULL);
	if ((o->undo_max || o->undo_continue) && o->undo_dir == NULL)
		return fail(o, "--undo-max and --undo-full need --undo-dir", NULL);
	if (o->undo_dir != NULL && (o->fs_mount != NULL || o->read_only))
		return fail(o, o->fs_mount ? "--undo-dir is the serving spxfs's option with --fs"
					   : "--undo-dir with --read-only: nothing would change",
			    NULL);
	o->command = argv + optind;
	/* With --fs the file server is another process spxbox does not
	 * place; with --allow-fork the job's processes may run side by side. */
	o->same_cpu = cpu ? strcmp(cpu, "same") == 0 : !o->allow_fork && o->fs_mount == NULL;
	/* A private /tmp, as most sandboxes give: compilers and scripts
	 * expect one. With --fs the mount holds its own mount points, so
	 * /tmp stays the mount's unless --tmp tmpfs asks. */
	if (!tmp_given)
		o->tmp_in_root = o->fs_mount != NULL;
	/* A mount at /tmp or under it decides /tmp: ROOT's, with that mount
	 * in it (a tmpfs over it would hide the mount). */
	bool tmp_named = false;
	for (int i = 0; i < o->nmounts; i++)
		tmp_named |= strcmp(o->mounts[i].dst, "/tmp") == 0 ||
			     strncmp(o->mounts[i].dst, "/tmp/", 5) == 0;
	if (!o->tmp_in_root && !tmp_named && add_mount(o, BOX_TMPFS, NULL, "/tmp") != BOX_RUN)
		return BOX_ERROR;
	return BOX_RUN;
}
