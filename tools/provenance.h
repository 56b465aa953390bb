/*
 * provenance: a job's inputs and outputs as in-toto sees a step: its
 * materials (the files it read in full, and the files executed, before it
 * changed them: what in-toto-run would have hashed before the command)
 * and its products (the files it left, with the SHA-256 of their final
 * content). Built from the log in one pass.
 */
#ifndef SPX_TOOLS_PROVENANCE_H
#define SPX_TOOLS_PROVENANCE_H

#include "changes.h"

#include <jansson.h>
#include <stdbool.h>

struct provenance {
	json_t *header, *exit; /* records, or NULL */
	char first_time[40], last_time[40];
	json_t *materials; /* path (no leading /) -> {"sha256": hash} */
	struct changes *changes;
};

int provenance_init(struct provenance *p); /* 0, or -1 out of memory */
void provenance_free(struct provenance *p);
bool provenance_add(struct provenance *p, json_t *rec);

/* path (no leading /) -> {"sha256": hash}: each file the job left whose
 * content is known: what it wrote (the hash of its final content), what
 * it read and did not change, and what it renamed unmodified after
 * reading it. Paths it changed whose content is not known (a chmod, a
 * rename of a file it never read) go to *unhashed, deleted ones to
 * *deleted (arrays of paths). New references. */
json_t *provenance_products(const struct provenance *p, json_t **unhashed, json_t **deleted);

#endif
