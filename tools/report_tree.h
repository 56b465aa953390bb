/* report_tree: what a job changed as a directory tree in HTML. Each
 * directory says how many entries below it were added, modified, deleted
 * and renamed; a directory lists at most a few hundred of its entries and
 * the page a few thousand rows, so a job that made a million files still
 * gives a page that opens. */
#ifndef SPX_TOOLS_REPORT_TREE_H
#define SPX_TOOLS_REPORT_TREE_H

#include <jansson.h>
#include <stdio.h>

#define TREE_ROWS_PER_DIR 200
#define TREE_ROWS 5000

/* state: changes_state(). Returns 0, or -1 when out of memory. */
int report_tree_html(FILE *out, json_t *state);

#endif
