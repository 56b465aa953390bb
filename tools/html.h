/* html: writing text into an HTML page safely. Every string that came
 * from a log (a path, a command, a hash) goes through html_text, since a
 * job chooses its file names. */
#ifndef SPX_TOOLS_HTML_H
#define SPX_TOOLS_HTML_H

#include <stdio.h>

/* s with & < > " ' escaped; fine in text and in quoted attributes. */
void html_text(FILE *out, const char *s);

/* A byte count for people: "512 B", "3.2 KiB", "1.5 GiB". */
void html_bytes(FILE *out, long long n);

/* n with thousands separators: 1,000,000. */
void html_count(FILE *out, long long n);

#endif
