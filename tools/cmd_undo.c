/* spxaudit undo [--undo-dir DIR] [--root ROOT] [--dry-run] [--force]
 * [--key FILE] [--head HASH] LOG: puts ROOT back as it was before the job,
 * from the log and the pre-images spxfs kept (spxfs --undo-dir, undo.h).
 *
 * The log is verified first; an altered one is refused, an incomplete one
 * (a killed job) is undone as far as it was recorded. Then every path undo
 * would touch is checked: one changed after the job (check_root) is named
 * and undo refuses, unless --force. Then the
 * records are replayed backwards (undo_apply.h), and directories' times
 * set last. */
#include "commands.h"
#include "logfile.h"
#include "record.h"
#include "undo_apply.h"
#include "verified_log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct walk {
	json_t *header;
	json_t *steps;      /* the records undo replays, in log order */
	char last_time[40]; /* the last record's */
	bool out_of_memory;
};

static bool collect(json_t *rec, void *ctx)
{
	static const char *const replayed[] = {"preserve", "create", "mknod", "symlink", "link",
	                                       "mkdir",    "rename", "rmdir", NULL};
	struct walk *w = ctx;
	const char *op = rec_str(rec, "op");
	if (strcmp(op, "header") == 0 && w->header == NULL)
		w->header = json_incref(rec);
	snprintf(w->last_time, sizeof(w->last_time), "%s", rec_str(rec, "time"));
	for (const char *const *r = replayed; *r; r++)
		if (strcmp(op, *r) == 0 && strcmp(rec_str(rec, "result"), "ok") == 0) {
			w->out_of_memory = json_array_append(w->steps, rec) != 0;
			break;
		}
	return !w->out_of_memory;
}

/* Whether path, or any directory above it, changed after the job: its
 * ctime, which no one can set, is later than the log's last record.
 * (A change within the same clock tick as the job's end goes unseen.) */
static bool changed_after(int root_fd, const char *path, const struct timespec *end)
{
	struct stat st;
	if (undo_stat_at(root_fd, path, &st) == 0 &&
	    (st.st_ctim.tv_sec > end->tv_sec ||
	     (st.st_ctim.tv_sec == end->tv_sec && st.st_ctim.tv_nsec > end->tv_nsec)))
		return true;
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return false;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	return changed_after(root_fd, parent, end);
}

/* Every path undo would write, remove or move, and the directories
 * holding them, as the job left them: a host change since is named. */
static long long check_root(int root_fd, json_t *steps, const char *end_time)
{
	struct timespec end;
	if (record_parse_time(end_time, &end) < 0)
		return 0;
	json_t *seen = json_object();
	long long bad = 0;
	size_t i;
	json_t *rec;
	json_array_foreach(steps, i, rec)
	{
		const char *keys[] = {"path", "path2"};
		for (int k = 0; k < 2; k++) {
			char *path = record_get_path(rec, keys[k]);
			if (path != NULL && path[0] == '/' && json_object_get(seen, path) == NULL) {
				json_object_set_new(seen, path, json_true());
				if (changed_after(root_fd, path, &end)) {
					fprintf(stderr,
					        "spxaudit: undo: %s (or its directory) changed "
					        "after the "
					        "job\n",
					        path);
					bad++;
				}
			}
			free(path);
		}
	}
	json_decref(seen);
	return bad;
}

static const char usage[] =
    "undo [--undo-dir DIR] [--root ROOT] [--dry-run] [--force] [--key FILE] [--head HASH] LOG";

int cmd_undo(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"undo-dir", required_argument, NULL, 'u'},
	    {"root", required_argument, NULL, 'r'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"force", no_argument, NULL, 'f'},
	    {"key", required_argument, NULL, 'k'},
	    {"head", required_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0},
	};
	struct chain_key key = {0};
	const char *undo_dir = NULL, *root = NULL, *head = NULL;
	bool dry_run = false, force = false;
	int c;
	while ((c = getopt_long(argc, argv, "u:r:nfk:H:", longopts, NULL)) != -1) {
		if (c == 'u')
			undo_dir = optarg;
		else if (c == 'r')
			root = optarg;
		else if (c == 'n')
			dry_run = true;
		else if (c == 'f')
			force = true;
		else if (c == 'k' && verified_log_key_option(optarg, &key) == EXIT_OK)
			continue;
		else if (c == 'H' && verified_log_head_option(optarg) == EXIT_OK)
			head = optarg;
		else {
			if (c == '?')
				fprintf(stderr, "spxaudit: undo: unknown option '%s'\n",
				        argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "spxaudit: usage: spxaudit %s\n", usage);
		return EXIT_USAGE;
	}
	const char *log = argv[optind];
	struct walk w = {.steps = json_array()};
	struct audit_verify_result res;
	int status = w.steps == NULL ? EXIT_UNREADABLE
	                             : verified_log_read(log, &key, head, &res, collect, &w);
	memset(&key, 0, sizeof(key));
	if (status == EXIT_OK && w.out_of_memory) {
		fprintf(stderr, "spxaudit: out of memory\n");
		status = EXIT_UNREADABLE;
	}
	if (status == EXIT_OK && res.verdict == VERIFY_BROKEN) {
		fprintf(stderr, "spxaudit: %s: %s: no undo from a log that is not intact\n", log,
		        res.message);
		status = EXIT_BROKEN;
	}
	json_t *opts = json_object_get(w.header, "options");
	if (undo_dir == NULL)
		undo_dir = json_string_value(json_object_get(opts, "undo_dir"));
	if (root == NULL)
		root = json_string_value(json_object_get(w.header, "root"));
	if (status == EXIT_OK && (undo_dir == NULL || root == NULL)) {
		fprintf(stderr, "spxaudit: %s: the log names no %s: give --%s\n", log,
		        undo_dir == NULL ? "undo directory (the job ran without --undo-dir?)"
		                         : "ROOT",
		        undo_dir == NULL ? "undo-dir" : "root");
		status = EXIT_USAGE;
	}
	struct undo_ctx ctx = {.root_fd = -1,
	                       .store_fd = -1,
	                       .dry_run = dry_run,
	                       .out = stdout,
	                       .dir_times = json_object()};
	if (status == EXIT_OK) {
		ctx.root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ctx.store_fd = open(undo_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ctx.root_fd < 0 || ctx.store_fd < 0) {
			fprintf(stderr, "spxaudit: %s: %s\n", ctx.root_fd < 0 ? root : undo_dir,
			        strerror(errno));
			status = EXIT_UNREADABLE;
		}
	}
	if (status == EXIT_OK && res.verdict == VERIFY_INCOMPLETE)
		fprintf(stderr, "spxaudit: %s: %s; undoing what it recorded\n", log, res.message);
	long long changed = status == EXIT_OK ? check_root(ctx.root_fd, w.steps, w.last_time) : 0;
	if (changed > 0 && !force) {
		fprintf(stderr,
		        "spxaudit: undo: ROOT changed at %lld path%s since the job: refusing "
		        "to overwrite (--force to undo anyway)\n",
		        changed, changed == 1 ? "" : "s");
		status = EXIT_BROKEN;
	}
	if (status == EXIT_OK) {
		for (size_t i = json_array_size(w.steps); i-- > 0;)
			undo_apply_record(&ctx, json_array_get(w.steps, i));
		undo_apply_dir_times(&ctx);
		if (!dry_run)
			printf("%s: undone: %lld steps, %lld failed\n", log, ctx.steps, ctx.failed);
		if (ctx.failed > 0)
			status = EXIT_BROKEN;
	}
	if (ctx.root_fd >= 0)
		close(ctx.root_fd);
	if (ctx.store_fd >= 0)
		close(ctx.store_fd);
	json_decref(ctx.dir_times);
	json_decref(w.header);
	json_decref(w.steps);
	return status;
}
