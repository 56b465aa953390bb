/*
 * changes: what a job left in ROOT, worked out from its records: each
 * path it created (A), modified (M), deleted (D) or renamed (R), with the
 * SHA-256 and size of its final content. spxaudit changes prints it; the
 * report and the provenance build on it.
 */
#ifndef SPX_TOOLS_CHANGES_H
#define SPX_TOOLS_CHANGES_H

#include <jansson.h>

struct changes;

struct changes *changes_new(void); /* NULL when out of memory */
void changes_free(struct changes *c);

/* Feeds one record, in log order. */
void changes_track(struct changes *c, const json_t *rec);

/* path -> {"change": "A"|"M"|"D"|"R", "type" (for A: "file", "dir",
 * "symlink", "node"), "from" (for R), "modified" (R of an edited file),
 * "sha256" and "size" (the last close that wrote it)}. Borrowed. */
json_t *changes_state(const struct changes *c);

#endif
