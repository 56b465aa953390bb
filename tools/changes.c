/* How a path's state moves with each record; see changes.h. */
#include "changes.h"
#include "logfile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the log tells of which names are one file: link records. A close
 * through one name changed the file under all of them, so an edit made
 * through a second name the job then removed still shows on the first. */
struct changes {
	json_t *state; /* path -> {change, sha256, from, type...} */
	json_t *links; /* path -> {other path: true} */
	/* path -> its other names when it was removed: a close is recorded
	 * at the release, which the kernel sends after the job's close and
	 * may come after an unlink of the name it was opened by */
	json_t *gone;
};

static bool is_op(const char *op, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(op, *list) == 0)
			return true;
	return false;
}

static const char *change_of(json_t *state, const char *path)
{
	return rec_str(json_object_get(state, path), "change");
}

static void set_change(json_t *state, const char *path, const char *change)
{
	json_t *e = json_object_get(state, path);
	if (e == NULL) {
		e = json_object();
		json_object_set_new(state, path, e);
	}
	json_object_set_new(e, "change", json_string(change));
}

/* An existing path was modified; a path this job added stays added. */
static void touch(json_t *state, const char *path)
{
	if (json_object_get(state, path) == NULL)
		set_change(state, path, "M");
}

static void created(json_t *state, const char *path, const char *type)
{
	set_change(state, path, strcmp(change_of(state, path), "D") == 0 ? "M" : "A");
	json_object_set_new(json_object_get(state, path), "type", json_string(type));
}

static void removed(json_t *state, const char *path)
{
	const char *c = change_of(state, path);
	if (strcmp(c, "A") == 0) {
		json_object_del(state, path);
	} else if (strcmp(c, "R") == 0) {
		/* the original name is what is gone */
		char *from = strdup(rec_str(json_object_get(state, path), "from"));
		json_object_del(state, path);
		if (from != NULL)
			set_change(state, from, "D");
		free(from);
	} else {
		set_change(state, path, "D");
		json_object_del(json_object_get(state, path), "sha256");
		json_object_del(json_object_get(state, path), "size");
	}
}

/* Moves every entry at or below `from` to the same place below `to`. */
static void rekey(json_t *state, const char *from, const char *to)
{
	size_t n = strlen(from);
	json_t *moved = json_object();
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(state, tmp, k, v) {
		if (strncmp(k, from, n) == 0 && (k[n] == '/' || k[n] == '\0')) {
			size_t len = strlen(to) + strlen(k + n) + 1;
			char *nk = malloc(len);
			if (nk == NULL)
				continue;
			(void)snprintf(nk, len, "%s%s", to, k + n);
			json_object_set(moved, nk, v);
			free(nk);
			json_object_del(state, k);
		}
	}
	json_object_update(state, moved);
	json_decref(moved);
}

static void renamed(json_t *state, const char *from, const char *to, bool exchange)
{
	if (exchange) {
		touch(state, from);
		touch(state, to);
		return;
	}
	json_t *e = json_object_get(state, from);
	json_t *entry = e ? json_deep_copy(e) : json_pack("{s:s}", "change", "R");
	rekey(state, from, to);
	if (entry == NULL)
		return;
	const char *c = rec_str(entry, "change");
	if (strcmp(c, "M") == 0 || strcmp(c, "R") == 0 || e == NULL) {
		if (json_object_get(entry, "from") == NULL)
			json_object_set_new(entry, "from", json_string(from));
		if (strcmp(c, "M") == 0)
			json_object_set_new(entry, "modified", json_true());
		json_object_set_new(entry, "change", json_string("R"));
		if (strcmp(rec_str(entry, "from"), to) == 0) /* back where it was */
			json_object_set_new(entry, "change", json_string("M"));
	}
	json_object_set_new(state, to, entry);
}

static void linked(json_t *links, const char *a, const char *b)
{
	const char *pair[2][2] = {{a, b}, {b, a}};
	for (int i = 0; i < 2; i++) {
		json_t *set = json_object_get(links, pair[i][0]);
		if (set == NULL) {
			set = json_object();
			json_object_set_new(links, pair[i][0], set);
		}
		json_object_set_new(set, pair[i][1], json_true());
	}
}

static void unlinked(struct changes *c, const char *path)
{
	const char *other;
	json_t *v;
	json_t *others = json_object_get(c->links, path);
	json_object_foreach(others, other, v)
		json_object_del(json_object_get(c->links, other), path);
	if (others != NULL)
		json_object_set(c->gone, path, others);
	else
		json_object_set_new(c->gone, path, json_object());
	json_object_del(c->links, path);
}

/* The file's final content: its hash, and its size when recorded. */
static void set_content(json_t *entry, const json_t *close)
{
	json_object_set(entry, "sha256", json_object_get(close, "sha256_final"));
	if (json_is_integer(json_object_get(close, "size")))
		json_object_set(entry, "size", json_object_get(close, "size"));
}

static void closed_with(struct changes *c, const char *path, const json_t *close)
{
	json_t *names = json_object_get(c->gone, path);
	if (names == NULL) { /* the name is still there */
		touch(c->state, path);
		set_content(json_object_get(c->state, path), close);
		names = json_object_get(c->links, path);
	}
	const char *other;
	json_t *v;
	json_object_foreach(names, other, v) {
		if (json_object_get(c->gone, other) != NULL)
			continue;
		touch(c->state, other);
		set_content(json_object_get(c->state, other), close);
	}
}

void changes_track(struct changes *c, const json_t *rec)
{
	static const char *const changes_meta[] = {
		"chmod", "chown", "truncate", "utimens", "setattr", "setxattr", "removexattr",
		"fallocate", "copy_file_range", NULL};
	json_t *state = c->state;
	const char *op = rec_str(rec, "op");
	const char *path = rec_str(rec, "path");
	if (strcmp(rec_str(rec, "result"), "ok") != 0 || *path == '\0')
		return;
	if (strcmp(op, "link") == 0)
		linked(c->links, path, rec_str(rec, "path2"));
	static const char *const makes_name[] = {"create", "link", "mknod", "mkdir", "symlink", NULL};
	if (is_op(op, makes_name))
		json_object_del(c->gone, path);
	if (strcmp(op, "rename") == 0)
		json_object_del(c->gone, rec_str(rec, "path2"));
	if (strcmp(op, "create") == 0 || strcmp(op, "link") == 0)
		created(state, path, "file");
	else if (strcmp(op, "mknod") == 0)
		created(state, path, "node");
	else if (strcmp(op, "mkdir") == 0)
		created(state, path, "dir");
	else if (strcmp(op, "symlink") == 0)
		created(state, path, "symlink");
	else if (strcmp(op, "unlink") == 0 || strcmp(op, "rmdir") == 0) {
		removed(state, path);
		unlinked(c, path);
	}
	else if (strcmp(op, "rename") == 0)
		renamed(state, path, rec_str(rec, "path2"),
			strcmp(rec_str(rec, "flags"), "RENAME_EXCHANGE") == 0);
	else if (is_op(op, changes_meta))
		touch(state, path);
	else if (strcmp(op, "close") == 0 && json_is_string(json_object_get(rec, "sha256_final")))
		closed_with(c, path, rec);
}


struct changes *changes_new(void)
{
	struct changes *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->state = json_object();
	c->links = json_object();
	c->gone = json_object();
	if (c->state == NULL || c->links == NULL || c->gone == NULL) {
		changes_free(c);
		return NULL;
	}
	return c;
}

void changes_free(struct changes *c)
{
	if (c == NULL)
		return;
	json_decref(c->state);
	json_decref(c->links);
	json_decref(c->gone);
	free(c);
}

json_t *changes_state(const struct changes *c)
{
	return c->state;
}
