/* libFuzzer target: the audit log reader and verifier on arbitrary bytes,
 * and the path decoder on every record it yields. */
#include "reader.h"
#include "record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
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
