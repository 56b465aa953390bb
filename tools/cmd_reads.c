/* spxaudit reads [--json] LOG: every file the job read, in full (F, with
 * the SHA-256 of what it read) or in part (P, with the byte ranges), and
 * those read in full while they changed (?, no hash): what did this job
 * read, and which content. One line per path and content. */
#include "commands.h"
#include "logfile.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line a close record adds: "F <hash>", "P <ranges>" or "? <why>";
 * NULL when nothing was read through it. malloc'ed. */
static char *read_line(json_t *rec, const char **kind)
{
	json_t *hash = json_object_get(rec, "sha256_read");
	json_t *ranges = json_object_get(rec, "read_ranges");
	const char *why = rec_str(rec, "sha256_read_unknown");
	if (json_is_string(hash)) {
		*kind = "F";
		return strdup(json_string_value(hash));
	}
	if (*why != '\0') {
		*kind = "?";
		return strdup(why);
	}
	if (json_is_array(ranges) && json_array_size(ranges) > 0) {
		*kind = "P";
		return json_dumps(ranges, JSON_COMPACT);
	}
	return NULL;
}

static bool track(json_t *rec, void *ctx)
{
	json_t *reads = ctx; /* path -> {"F <hash>": kind, ...} in order seen */
	if (strcmp(rec_str(rec, "op"), "close") != 0 || strcmp(rec_str(rec, "result"), "ok") != 0)
		return true;
	const char *path = rec_str(rec, "path");
	const char *kind = NULL;
	char *detail = *path ? read_line(rec, &kind) : NULL;
	if (detail == NULL)
		return true;
	json_t *seen = json_object_get(reads, path);
	if (seen == NULL) {
		seen = json_object();
		json_object_set_new(reads, path, seen);
	}
	json_object_set_new(seen, detail, json_string(kind));
	free(detail);
	return true;
}

int cmd_reads(int argc, char **argv)
{
	bool as_json;
	if (parse_json_only(argc, argv, 1, "reads [--json] LOG", &as_json) != EXIT_OK)
		return EXIT_USAGE;
	json_t *reads = json_object();
	int status = logfile_each(argv[optind], false, track, reads);
	size_t n = 0;
	const char **keys = status == EXIT_UNREADABLE ? NULL : sorted_keys(reads, &n);
	json_t *out = json_array();
	for (size_t i = 0; keys != NULL && i < n; i++) {
		const char *detail;
		json_t *kind;
		json_object_foreach(json_object_get(reads, keys[i]), detail, kind) {
			const char *k = json_string_value(kind);
			if (as_json) {
				json_t *o = json_pack("{s:s, s:s}", "path", keys[i], "read",
						      strcmp(k, "F") == 0   ? "full"
						      : strcmp(k, "P") == 0 ? "part"
									    : "changed");
				if (strcmp(k, "F") == 0)
					json_object_set_new(o, "sha256", json_string(detail));
				else if (strcmp(k, "P") == 0)
					json_object_set_new(o, "ranges", json_loads(detail, 0, NULL));
				json_array_append_new(out, o);
			} else {
				printf("%s  %s  %s\n", k, keys[i], detail);
			}
		}
	}
	if (as_json && keys != NULL)
		print_json(out);
	json_decref(out);
	free(keys);
	json_decref(reads);
	return status;
}
