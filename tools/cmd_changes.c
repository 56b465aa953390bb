/* spxaudit changes [--json] LOG: what the job created (A), modified (M),
 * deleted (D) and renamed (R), with final content hashes: git status for
 * a job. */
#include "changes.h"
#include "commands.h"
#include "logfile.h"

#include <getopt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool track(json_t *rec, void *ctx)
{
	changes_track(ctx, rec);
	return true;
}

int cmd_changes(int argc, char **argv)
{
	bool as_json;
	if (parse_json_only(argc, argv, 1, "changes [--json] LOG", &as_json) != EXIT_OK)
		return EXIT_USAGE;
	struct changes *c = changes_new();
	if (c == NULL) {
		fprintf(stderr, "spxaudit: out of memory\n");
		return EXIT_UNREADABLE;
	}
	int status = logfile_each(argv[optind], false, track, c);
	json_t *state = changes_state(c);
	size_t n = 0;
	const char **keys = status == EXIT_UNREADABLE ? NULL : sorted_keys(state, &n);
	if (status != EXIT_UNREADABLE && keys == NULL) {
		fprintf(stderr, "spxaudit: out of memory\n");
		status = EXIT_UNREADABLE;
	}
	json_t *out = json_array();
	for (size_t i = 0; keys != NULL && i < n; i++) { /* sorted by path, like git status */
		json_t *e = json_object_get(state, keys[i]);
		const char *sha = rec_str(e, "sha256");
		if (as_json) {
			json_t *o = json_deep_copy(e);
			json_object_set_new(o, "path", json_string(keys[i]));
			json_array_append_new(out, o);
		} else if (json_object_get(e, "from") != NULL) {
			printf("%s  %s -> %s%s%s\n", rec_str(e, "change"), rec_str(e, "from"), keys[i],
			       *sha ? "  " : "", sha);
		} else {
			printf("%s  %s%s%s\n", rec_str(e, "change"), keys[i], *sha ? "  " : "", sha);
		}
	}
	if (as_json && keys != NULL)
		print_json(out);
	json_decref(out);
	free(keys);
	changes_free(c);
	return status;
}
