#include "report_tree.h"
#include "html.h"
#include "logfile.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { CHG_A, CHG_M, CHG_D, CHG_R, CHG_KINDS };
static const char change_letter[CHG_KINDS] = {'A', 'M', 'D', 'R'};

struct node {
	const char *key; /* the path up to and including this component */
	size_t keylen;
	const char *name; /* this component, within key */
	size_t namelen;
	json_t *entry; /* the change of this very path, or NULL */
	struct node **kids;
	size_t nkids, cap;
	long long count[CHG_KINDS]; /* in the subtree, this node included */
	long long bytes;            /* final sizes in the subtree */
};

/* Path order in which a directory's entries follow it directly: '/'
 * sorts before every other byte, so "/a/x" comes before "/a-b". */
static int path_order(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a;
	const unsigned char *y = *(const unsigned char *const *)b;
	for (; *x && *x == *y; x++, y++)
		;
	unsigned cx = *x == '/' ? 1 : *x == 0 ? 0 : *x + 1u;
	unsigned cy = *y == '/' ? 1 : *y == 0 ? 0 : *y + 1u;
	return (cx > cy) - (cx < cy);
}

static struct node *add_kid(struct node *parent, const char *key, size_t keylen, const char *name,
                            size_t namelen)
{
	if (parent->nkids == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		struct node **k = realloc(parent->kids, cap * sizeof(struct node *));
		if (k == NULL)
			return NULL;
		parent->kids = k;
		parent->cap = cap;
	}
	struct node *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	*n = (struct node){.key = key, .keylen = keylen, .name = name, .namelen = namelen};
	parent->kids[parent->nkids++] = n;
	return n;
}

static int change_kind(const json_t *entry)
{
	const char *c = rec_str(entry, "change");
	for (int k = 0; k < CHG_KINDS; k++)
		if (c[0] == change_letter[k])
			return k;
	return CHG_M;
}

/* Adds one changed path; keys arrive in path_order, so a component
 * already present is always its parent's last child. */
static int insert(struct node *root, const char *key, json_t *entry)
{
	struct node *at = root;
	const char *p = key;
	int kind = change_kind(entry);
	long long size = rec_int(entry, "size", 0);
	for (;;) {
		at->count[kind]++;
		at->bytes = add_sat(at->bytes, size > 0 ? size : 0);
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct node *last = at->nkids ? at->kids[at->nkids - 1] : NULL;
		if (last == NULL || last->namelen != len || memcmp(last->name, p, len) != 0) {
			last = add_kid(at, key, (size_t)(p - key) + len, p, len);
			if (last == NULL)
				return -1;
		}
		at = last;
		p += len;
	}
	at->entry = entry;
	return 0;
}

static void free_tree(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		free_tree(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
}

static void text_n(FILE *out, const char *s, size_t n)
{
	char buf[4097];
	while (n > 0) {
		size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
		memcpy(buf, s, k);
		buf[k] = '\0';
		html_text(out, buf);
		s += k;
		n -= k;
	}
}

static void counts(FILE *out, const struct node *n)
{
	static const char *const word[CHG_KINDS] = {"added", "modified", "deleted", "renamed"};
	fputs("<span class=\"counts\">", out);
	for (int k = 0; k < CHG_KINDS; k++) {
		if (n->count[k] == 0)
			continue;
		fprintf(out, "<span class=\"chg-%c\" title=\"%s\">%c ", change_letter[k], word[k],
		        change_letter[k]);
		html_count(out, n->count[k]);
		fputs("</span> ", out);
	}
	if (n->bytes > 0)
		html_bytes(out, n->bytes);
	fputs("</span>", out);
}

/* The change of the node's own path: letter, former name, size, hash. */
static void own_change(FILE *out, const struct node *n)
{
	const json_t *e = n->entry;
	char c = change_letter[change_kind(e)];
	fprintf(out, "<span class=\"c chg-%c\">%c</span> ", c, c);
	fputs("<span class=\"name\">", out);
	text_n(out, n->name, n->namelen);
	fputs("</span>", out);
	if (json_object_get(e, "from") != NULL) {
		fputs(" <span class=\"from\">from ", out);
		html_text(out, rec_str(e, "from"));
		fputs("</span>", out);
	}
	const char *type = rec_str(e, "type");
	if (*type != '\0' && strcmp(type, "file") != 0 && strcmp(type, "dir") != 0)
		fprintf(out, " <span class=\"type\">%s</span>", rec_str(e, "type"));
	if (json_is_integer(json_object_get(e, "size"))) {
		fputs(" <span class=\"size\">", out);
		html_bytes(out, rec_int(e, "size", 0));
		fputs("</span>", out);
	}
	if (*rec_str(e, "sha256") != '\0')
		fprintf(out, " <code class=\"sha\">%s</code>", rec_str(e, "sha256"));
}

static void open_row(FILE *out, const struct node *n, const char *cls)
{
	fprintf(out, "<li class=\"%s\" data-path=\"", cls);
	text_n(out, n->key, n->keylen);
	if (n->entry != NULL)
		fprintf(out, "\" data-change=\"%c", change_letter[change_kind(n->entry)]);
	fputs("\">", out);
}

static void render(FILE *out, const struct node *n, int depth, long long *budget);

/* n's entries, at most TREE_ROWS_PER_DIR and while the page has rows
 * left; those not listed are counted. */
static void children(FILE *out, const struct node *n, int depth, long long *budget)
{
	size_t shown = 0;
	for (; shown < n->nkids && shown<TREE_ROWS_PER_DIR && * budget> 0; shown++)
		render(out, n->kids[shown], depth, budget);
	if (shown == n->nkids)
		return;
	struct node rest = {0};
	for (size_t i = shown; i < n->nkids; i++)
		for (int k = 0; k < CHG_KINDS; k++)
			rest.count[k] = add_sat(rest.count[k], n->kids[i]->count[k]);
	fputs("<li class=\"more\">… ", out);
	html_count(out, (long long)(n->nkids - shown));
	fputs(" more entries here, not listed: ", out);
	counts(out, &rest);
	fputs(*budget > 0
	          ? "</li>\n"
	          : "; the page stops listing here, <code>spxaudit changes</code> lists every "
	            "path</li>\n",
	      out);
}

static void render(FILE *out, const struct node *n, int depth, long long *budget)
{
	if (n->nkids == 0) {
		open_row(out, n, "file");
		own_change(out, n);
		fputs("</li>\n", out);
		(*budget)--;
		return;
	}
	open_row(out, n, "dir");
	fprintf(out, "<details%s><summary>", depth < 2 ? " open" : "");
	if (n->entry != NULL) {
		own_change(out, n);
	} else {
		fputs("<span class=\"name\">", out);
		text_n(out, n->name, n->namelen);
		fputs("</span>", out);
	}
	fputs("/ ", out);
	counts(out, n);
	fputs("</summary><ul>\n", out);
	(*budget)--;
	children(out, n, depth + 1, budget);
	fputs("</ul></details></li>\n", out);
}

int report_tree_html(FILE *out, json_t *state)
{
	size_t n = 0;
	const char **keys = keys_sorted_by(state, &n, path_order);
	if (keys == NULL)
		return -1;
	struct node root = {.key = "/", .keylen = 1, .name = "", .namelen = 0};
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = insert(&root, keys[i], json_object_get(state, keys[i]));
	if (r == 0) {
		fputs("<p class=\"totals\">", out);
		html_count(out, (long long)n);
		fputs(" paths changed: ", out);
		counts(out, &root);
		fputs("</p>\n<ul class=\"tree\">\n", out);
		long long budget = TREE_ROWS;
		children(out, &root, 0, &budget);
		fputs("</ul>\n", out);
	}
	free_tree(&root);
	free(keys);
	return r;
}
