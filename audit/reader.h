/*
 * reader: reads an audit log line by line and checks it.
 *
 * audit_reader_next() yields each complete line parsed as a JSON object.
 * audit_verify() walks a whole log and says whether its chain is intact,
 * and if not, where and how it breaks.
 */
#ifndef SPX_AUDIT_READER_H
#define SPX_AUDIT_READER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "chain.h"

#define AUDIT_MAX_LINE (1 << 20)

enum audit_next {
	AUDIT_RECORD,	 /* *rec holds the next record */
	AUDIT_EOF,	 /* no more complete lines */
	AUDIT_TORN,	 /* the file ends inside a line (an interrupted write) */
	AUDIT_MALFORMED, /* a complete line that is not a JSON object */
	AUDIT_IO_ERROR,
};

struct audit_reader;

struct audit_reader *audit_reader_new(FILE *f);
void audit_reader_free(struct audit_reader *r);

/* On AUDIT_RECORD, *rec is a new reference the caller releases; the
 * line's exact bytes stay valid until the next call. */
enum audit_next audit_reader_next(struct audit_reader *r, json_t **rec);
const char *audit_reader_line(const struct audit_reader *r, size_t *len);
int64_t audit_reader_lineno(const struct audit_reader *r);

/* For follow: forget EOF and torn state so that a growing file is read on. */
void audit_reader_rewind_partial(struct audit_reader *r);

enum audit_verdict {
	VERIFY_INTACT,	   /* chain intact, closed by an end record (and --head matched) */
	VERIFY_INCOMPLETE, /* intact as far as it goes, but not closed: a crash or a torn tail */
	VERIFY_BROKEN,	   /* altered, inserted, removed or reordered records; wrong key;
			      or --head does not match */
	VERIFY_NOT_A_LOG,  /* empty, or not an spx audit log */
};

struct audit_verify_result {
	enum audit_verdict verdict;
	int64_t records;	/* complete, verified records */
	int64_t bad_line;	/* 1-based line of the first problem, 0 if none */
	char head[CHAIN_HEX_LEN]; /* link value of the last verified record */
	char message[256];
};

/* key may be NULL (or empty) for an unkeyed log; head may be NULL. */
void audit_verify(FILE *f, const struct chain_key *key, const char *head,
		  struct audit_verify_result *res);

/* The same, and each record read is also given to each (a new reference
 * is not passed: borrow it), in order, the header included, also past a
 * break in the chain, so that one pass both verifies a log and shows it;
 * each returns false to be called no more. Nothing is given for a file
 * that is not a log. */
void audit_verify_each(FILE *f, const struct chain_key *key, const char *head,
		       struct audit_verify_result *res, bool (*each)(json_t *rec, void *ctx),
		       void *ctx);

#endif
