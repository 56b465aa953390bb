/* libFuzzer target: the audit log reader and verifier on arbitrary bytes,
 * the path decoder on every record it yields, and the path escaping
 * (the input up to its first NUL as a path) round trip: what
 * record_set_path stores, record_get_path must give back exactly. */
#include "reader.h"
#include "record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *path = strndup((const char *)data, size);
	json_t *holder = json_object();
	if (path != NULL && holder != NULL && record_set_path(holder, "path", path) == 0) {
		char *back = record_get_path(holder, "path");
		if (back == NULL || strcmp(back, path) != 0)
			abort(); /* a path did not survive the log */
		free(back);
	}
	json_decref(holder);
	free(path);
	FILE *f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return 0;
	struct audit_verify_result res;
	audit_verify(f, NULL, NULL, &res);
	rewind(f);
	struct audit_reader *r = audit_reader_new(f);
	json_t *rec;
	while (r != NULL && audit_reader_next(r, &rec) == AUDIT_RECORD) {
		free(record_get_path(rec, "path"));
		free(record_get_path(rec, "path2"));
		struct timespec ts;
		const char *t = json_string_value(json_object_get(rec, "time"));
		if (t != NULL)
			(void)record_parse_time(t, &ts);
		json_decref(rec);
	}
	audit_reader_free(r);
	fclose(f);
	return 0;
}
