#include "provenance.h"
#include "logfile.h"

#include <stdio.h>
#include <string.h>

int provenance_init(struct provenance *p)
{
	memset(p, 0, sizeof(*p));
	p->materials = json_object();
	p->changes = changes_new();
	if (p->materials == NULL || p->changes == NULL) {
		provenance_free(p);
		return -1;
	}
	return 0;
}

void provenance_free(struct provenance *p)
{
	json_decref(p->header);
	json_decref(p->exit);
	json_decref(p->materials);
	changes_free(p->changes);
	memset(p, 0, sizeof(*p));
}

/* in-toto names artifacts relative to the step's directory: "src/a.c". */
static const char *artifact(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

/* A material is content the job found, not content it made: the first
 * full hash of a path it had not changed yet. */
static void material(struct provenance *p, const char *path, const char *hash)
{
	if (*path == '\0' || *path == '?' || *hash == '\0')
		return;
	if (json_object_get(changes_state(p->changes), path) != NULL)
		return;
	if (json_object_get(p->materials, artifact(path)) != NULL)
		return;
	json_object_set_new(p->materials, artifact(path), json_pack("{s:s}", "sha256", hash));
}

bool provenance_add(struct provenance *p, json_t *rec)
{
	const char *op = rec_str(rec, "op");
	const char *t = rec_str(rec, "time");
	if (p->first_time[0] == '\0')
		snprintf(p->first_time, sizeof(p->first_time), "%s", t);
	snprintf(p->last_time, sizeof(p->last_time), "%s", t);
	if (strcmp(op, "header") == 0) {
		json_decref(p->header);
		p->header = json_incref(rec);
	} else if (strcmp(op, "exit") == 0) {
		json_decref(p->exit);
		p->exit = json_incref(rec);
	}
	bool ok = strcmp(rec_str(rec, "result"), "ok") == 0;
	if (ok && strcmp(op, "close") == 0 && rec_int(rec, "written", 0) == 0)
		material(p, rec_str(rec, "path"), rec_str(rec, "sha256_read"));
	else if (ok && strcmp(op, "open") == 0 && json_is_true(json_object_get(rec, "exec")))
		material(p, rec_str(rec, "path"), rec_str(rec, "sha256"));
	changes_track(p->changes, rec);
	return true;
}

/* A product's content when the job did not write it: a renamed file it
 * never modified keeps the hash it was read with. */
static const char *carried_hash(const struct provenance *p, const json_t *e)
{
	if (strcmp(rec_str(e, "change"), "R") != 0 || json_is_true(json_object_get(e, "modified")))
		return "";
	return rec_str(json_object_get(p->materials, artifact(rec_str(e, "from"))), "sha256");
}

json_t *provenance_products(const struct provenance *p, json_t **unhashed, json_t **deleted)
{
	json_t *products = json_object();
	*unhashed = json_array();
	*deleted = json_array();
	json_t *state = changes_state(p->changes);
	json_t *moved_away = json_object(); /* the former names of renamed files */
	const char *path;
	json_t *e;
	json_object_foreach(state, path, e)
	{
		if (strcmp(rec_str(e, "change"), "R") == 0)
			json_object_set_new(moved_away, rec_str(e, "from"), json_true());
		const char *change = rec_str(e, "change");
		const char *hash =
		    *rec_str(e, "sha256") ? rec_str(e, "sha256") : carried_hash(p, e);
		if (strcmp(change, "D") == 0)
			json_array_append_new(*deleted, json_string(artifact(path)));
		else if (*hash != '\0')
			json_object_set_new(products, artifact(path),
			                    json_pack("{s:s}", "sha256", hash));
		else if (strcmp(rec_str(e, "type"), "dir") != 0)
			json_array_append_new(*unhashed, json_string(artifact(path)));
	}
	/* what it read and left as it was is still there, as in-toto-run's
	 * products would list it */
	json_object_foreach(p->materials, path, e)
	{
		char slashed[4200];
		snprintf(slashed, sizeof(slashed), "/%s", path);
		if (json_object_get(state, slashed) == NULL &&
		    json_object_get(moved_away, slashed) == NULL)
			json_object_set(products, path, e);
	}
	json_decref(moved_away);
	return products;
}
