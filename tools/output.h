/* output: a file a subcommand writes (-o FILE), made whole or not at all:
 * written beside FILE under a temporary name, flushed to disk, then
 * renamed over it, so that a full disk or a crash never leaves half a
 * report where an old one was. Without -o, standard output. */
#ifndef SPX_TOOLS_OUTPUT_H
#define SPX_TOOLS_OUTPUT_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct output {
	FILE *f;
	const char *path; /* NULL: standard output */
	char tmp[PATH_MAX];
};

/* Opens; on failure prints one line and returns false. */
bool output_open(struct output *o, const char *path);

/* Finishes: keep true renames into place, false removes the temporary
 * file. Returns false (after one line on stderr) when anything written
 * could not be stored. */
bool output_close(struct output *o, bool keep);

#endif
