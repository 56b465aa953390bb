#include "reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct audit_reader {
	FILE *f;
	char *buf;
	size_t cap;
	size_t len;     /* bytes of the current line, without the newline */
	int64_t lineno; /* 1-based number of the current line */
	bool torn;
};

struct audit_reader *audit_reader_new(FILE *f)
{
	struct audit_reader *r = calloc(1, sizeof(*r));
	if (r != NULL)
		r->f = f;
	return r;
}

void audit_reader_free(struct audit_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

const char *audit_reader_line(const struct audit_reader *r, size_t *len)
{
	*len = r->len;
	return r->buf;
}

int64_t audit_reader_lineno(const struct audit_reader *r)
{
	return r->lineno;
}

void audit_reader_rewind_partial(struct audit_reader *r)
{
	clearerr(r->f);
	if (r->torn) {
		/* Read the partial line again once it is complete. */
		if (fseeko(r->f, -(off_t)r->len, SEEK_CUR) == 0)
			r->torn = false;
		r->lineno--;
	}
}

enum audit_next audit_reader_next(struct audit_reader *r, json_t **rec)
{
	*rec = NULL;
	ssize_t n = getline(&r->buf, &r->cap, r->f);
	if (n < 0)
		return ferror(r->f) ? AUDIT_IO_ERROR : AUDIT_EOF;
	r->lineno++;
	r->len = (size_t)n;
	if (n == 0 || r->buf[n - 1] != '\n') {
		r->torn = true;
		return AUDIT_TORN;
	}
	r->len--;
	r->buf[r->len] = '\0';
	if (r->len > AUDIT_MAX_LINE)
		return AUDIT_MALFORMED;
	json_error_t jerr;
	/* The whole line must be one object (jansson refuses trailing data). */
	json_t *v = json_loadb(r->buf, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL || !json_is_object(v)) {
		json_decref(v);
		return AUDIT_MALFORMED;
	}
	*rec = v;
	return AUDIT_RECORD;
}

static void say(struct audit_verify_result *res, enum audit_verdict v, int64_t line,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	res->verdict = v;
	res->bad_line = line;
	(void)vsnprintf(res->message, sizeof(res->message), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
	va_end(ap);
}

static const char *str_of(const json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));
	return s != NULL ? s : "";
}

static bool is_header(const json_t *rec)
{
	return json_is_string(json_object_get(rec, "format")) &&
	       strcmp(json_string_value(json_object_get(rec, "format")), "spx-audit") == 0 &&
	       json_is_string(json_object_get(rec, "op")) &&
	       strcmp(json_string_value(json_object_get(rec, "op")), "header") == 0;
}

/* Checks one parsed record against the chain so far; 0 or -1 (res set). */
static int check_record(struct audit_reader *r, json_t *rec, const struct chain_key *key,
			unsigned char prev[CHAIN_LEN], bool *ended, struct audit_verify_result *res)
{
	int64_t line = audit_reader_lineno(r);
	int64_t seq = json_integer_value(json_object_get(rec, "seq"));
	const char *p = json_string_value(json_object_get(rec, "prev"));
	char want[CHAIN_HEX_LEN];
	chain_hex(prev, want);
	if (*ended) {
		say(res, VERIFY_BROKEN, line, "record after the end record (appended later)");
		return -1;
	}
	if (!json_is_integer(json_object_get(rec, "seq")) || seq != res->records) {
		say(res, VERIFY_BROKEN, line,
		    "expected seq %lld, found %s: records were removed, inserted or reordered",
		    (long long)res->records, json_is_integer(json_object_get(rec, "seq")) ? "another" : "none");
		return -1;
	}
	if (p == NULL || strcmp(p, want) != 0) {
		if (res->records == 1 && key != NULL && key->len > 0)
			say(res, VERIFY_BROKEN, line,
			    "record 1 does not follow the header: wrong key, or the header was altered");
		else
			say(res, VERIFY_BROKEN, line,
			    "the chain breaks here: record %lld (this line) or record %lld (line "
			    "%lld) was altered",
			    (long long)seq, (long long)seq - 1, (long long)line - 1);
		return -1;
	}
	size_t len;
	const char *text = audit_reader_line(r, &len);
	if (chain_link(key, text, len, prev) < 0) {
		say(res, VERIFY_BROKEN, line, "cannot compute the chain (libcrypto failed)");
		return -1;
	}
	const char *op = json_string_value(json_object_get(rec, "op"));
	if (op != NULL && strcmp(op, "end") == 0) {
		*ended = true;
		if (json_integer_value(json_object_get(rec, "records")) != seq) {
			say(res, VERIFY_BROKEN, line, "the end record counts another number of records");
			return -1;
		}
	}
	res->records++;
	return 0;
}

void audit_verify(FILE *f, const struct chain_key *key, const char *head,
		  struct audit_verify_result *res)
{
	audit_verify_each(f, key, head, res, NULL, NULL);
}

void audit_verify_each(FILE *f, const struct chain_key *key, const char *head,
		       struct audit_verify_result *res, bool (*each)(json_t *rec, void *ctx),
		       void *ctx)
{
	memset(res, 0, sizeof(*res));
	struct audit_reader *r = audit_reader_new(f);
	if (r == NULL) {
		say(res, VERIFY_NOT_A_LOG, 0, "out of memory");
		return;
	}
	unsigned char prev[CHAIN_LEN] = {0};
	bool ended = false, failed = false;
	json_t *rec;
	enum audit_next n = AUDIT_EOF;
	bool feeding = each != NULL, foreign = false;
	while ((!failed || feeding) && (n = audit_reader_next(r, &rec)) == AUDIT_RECORD) {
		if (failed) { /* past the break, the rest is still shown, unverified */
			feeding = each(rec, ctx);
			json_decref(rec);
			continue;
		}
		if (res->records == 0 && !is_header(rec)) {
			foreign = true;
			say(res, VERIFY_NOT_A_LOG, 1, "not an spx audit log (no header record)");
			failed = true;
		} else if (res->records == 0 && key != NULL && key->len > 0 &&
			   strcmp(str_of(rec, "chain"), "hmac-sha256") != 0) {
			say(res, VERIFY_BROKEN, 1, "a key was given but the log is not keyed");
			failed = true;
		} else if (res->records == 0 && (key == NULL || key->len == 0) &&
			   strcmp(str_of(rec, "chain"), "sha256") != 0) {
			say(res, VERIFY_BROKEN, 1, "the log is keyed (hmac-sha256): give its key with --key");
			failed = true;
		} else {
			failed = check_record(r, rec, key, prev, &ended, res) < 0;
		}
		if (feeding && !foreign)
			feeding = each(rec, ctx);
		feeding = feeding && !foreign;
		json_decref(rec);
	}
	chain_hex(prev, res->head);
	if (!failed) {
		int64_t line = audit_reader_lineno(r);
		if (n == AUDIT_IO_ERROR)
			say(res, VERIFY_NOT_A_LOG, line + 1, "read error: %s", strerror(errno));
		else if (n == AUDIT_MALFORMED)
			say(res, res->records == 0 ? VERIFY_NOT_A_LOG : VERIFY_BROKEN, line,
			    res->records == 0 ? "not an spx audit log (line 1 is not a JSON object)"
					      : "line is not a JSON record: altered");
		else if (res->records == 0)
			say(res, VERIFY_NOT_A_LOG, line, n == AUDIT_TORN ? "not an spx audit log (no complete line)"
								     : "empty file");
		else if (head != NULL && strcmp(head, res->head) != 0)
			say(res, VERIFY_BROKEN, line,
			    "the chain head is %s, not the one given: records are missing at the end",
			    res->head);
		else if (n == AUDIT_TORN)
			say(res, VERIFY_INCOMPLETE, line,
			    "torn tail: line %lld is incomplete (an interrupted write); all %lld records before it verify",
			    (long long)line, (long long)res->records);
		else if (!ended)
			say(res, VERIFY_INCOMPLETE, 0,
			    "no end record: the writer stopped early (crash or kill); all %lld records verify",
			    (long long)res->records);
		else
			say(res, VERIFY_INTACT, 0, "intact: %lld records, head %s", (long long)res->records,
			    res->head);
	}
	audit_reader_free(r);
}
