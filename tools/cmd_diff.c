/* spxaudit diff [--json] LOG1 LOG2: two runs of a job compared by the
 * files they read and wrote, path by path, by content hash. Exits 0 when
 * they read and wrote the same, 1 when they differ. */
#include "commands.h"
#include "logfile.h"

#include <getopt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* path -> {"read": hash|"partial", "write": hash} from close records. */
static bool collect(json_t *rec, void *ctx)
{
	json_t *files = ctx;
	if (strcmp(rec_str(rec, "op"), "close") != 0)
		return true;
	const char *path = rec_str(rec, "path");
	json_t *e = json_object_get(files, path);
	if (e == NULL) {
		e = json_object();
		json_object_set_new(files, path, e);
	}
	if (json_is_string(json_object_get(rec, "sha256_read")))
		json_object_set(e, "read", json_object_get(rec, "sha256_read"));
	else if (rec_int(rec, "read", 0) > 0 && json_object_get(e, "read") == NULL)
		json_object_set_new(e, "read", json_string("partial"));
	if (json_is_string(json_object_get(rec, "sha256_final")))
		json_object_set(e, "write", json_object_get(rec, "sha256_final"));
	return true;
}

int cmd_diff(int argc, char **argv)
{
	bool as_json;
	if (parse_json_only(argc, argv, 2, "diff [--json] LOG1 LOG2", &as_json) != EXIT_OK)
		return EXIT_USAGE;
	json_t *a = json_object(), *b = json_object(), *all = json_object();
	int s1 = logfile_each(argv[optind], false, collect, a);
	int s2 = s1 == EXIT_UNREADABLE ? s1 : logfile_each(argv[optind + 1], false, collect, b);
	int status = s1 == EXIT_UNREADABLE || s2 == EXIT_UNREADABLE ? EXIT_UNREADABLE : EXIT_OK;
	json_object_update(all, a);
	json_object_update(all, b);
	size_t n = 0;
	const char **keys = status == EXIT_OK ? sorted_keys(all, &n) : NULL;
	json_t *out = json_array();
	if (status == EXIT_OK && (keys == NULL || out == NULL))
		status = EXIT_UNREADABLE;
	static const char *const kinds[] = {"read", "write"};
	for (size_t i = 0; keys != NULL && i < n; i++) {
		for (int kind = 0; kind < 2; kind++) {
			const char *h1 = rec_str(json_object_get(a, keys[i]), kinds[kind]);
			const char *h2 = rec_str(json_object_get(b, keys[i]), kinds[kind]);
			if (strcmp(h1, h2) == 0)
				continue;
			status = EXIT_BROKEN;
			if (as_json)
				json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "path",
								     keys[i], "kind", kinds[kind],
								     "log1", h1, "log2", h2));
			else
				printf("%-5s %s\n      %s\n      %s\n", kinds[kind], keys[i],
				       *h1 ? h1 : "(not in LOG1)", *h2 ? h2 : "(not in LOG2)");
		}
	}
	if (as_json && status != EXIT_UNREADABLE)
		print_json(out);
	free(keys);
	json_decref(out);
	json_decref(a);
	json_decref(b);
	json_decref(all);
	return status;
}
