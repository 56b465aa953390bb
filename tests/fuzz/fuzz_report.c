/* libFuzzer target: spxaudit's report and provenance on arbitrary bytes
 * taken as a log: every record, however odd its fields' types, goes
 * through the report's aggregates and page and the provenance's
 * materials and products without a crash, a leak or undefined behaviour. */
#include "provenance.h"
#include "reader.h"
#include "report_html.h"
#include "report_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool to_both(json_t *rec, void *ctx)
{
	void **both = ctx;
	return report_model_add(both[0], rec) && provenance_add(both[1], rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	FILE *out = fopen("/dev/null", "w");
	struct report_model m;
	struct provenance p;
	if (f == NULL || out == NULL || report_model_init(&m) < 0) {
		if (f != NULL)
			fclose(f);
		if (out != NULL)
			fclose(out);
		return 0;
	}
	if (provenance_init(&p) < 0) {
		report_model_free(&m);
		fclose(f);
		fclose(out);
		return 0;
	}
	struct audit_verify_result res;
	void *both[2] = {&m, &p};
	audit_verify_each(f, NULL, NULL, &res, to_both, both);
	struct report_input in = {.log_name = "fuzz <&>", .verify = &res};
	(void)report_html(out, &in, &m);
	json_t *unhashed, *deleted;
	json_decref(provenance_products(&p, &unhashed, &deleted));
	json_decref(unhashed);
	json_decref(deleted);
	provenance_free(&p);
	report_model_free(&m);
	fclose(f);
	fclose(out);
	return 0;
}
