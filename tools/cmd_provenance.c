/* spxaudit provenance [--name STEP] [--statement] [--allow-incomplete]
 * [--key FILE] [--head HASH] [-o FILE] LOG: the job as in-toto link
 * metadata (unsigned: in-toto-sign signs it), or as an in-toto Statement
 * with a SLSA provenance v1 predicate. Only an intact log is turned into
 * provenance: a claim about a job must not rest on a log that was altered. */
#include "commands.h"
#include "logfile.h"
#include "output.h"
#include "provenance.h"
#include "spx_config.h"
#include "verified_log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct facts {
	const struct provenance *p;
	const struct audit_verify_result *verify;
	const char *name;
};

static bool add(json_t *rec, void *ctx)
{
	return provenance_add(ctx, rec);
}

/* A copy of v in which every real number is a string ("0.5"): the
 * canonical JSON that in-toto signs has no floats. */
static json_t *without_reals(const json_t *v)
{
	if (json_is_real(v)) {
		char text[64];
		snprintf(text, sizeof(text), "%g", json_real_value(v));
		return json_string(text);
	}
	json_t *copy = json_deep_copy(v);
	json_t *x;
	if (json_is_object(copy)) {
		const char *k;
		json_object_foreach(copy, k, x) json_object_set_new(copy, k, without_reals(x));
	} else if (json_is_array(copy)) {
		size_t i;
		json_array_foreach(copy, i, x) json_array_set_new(copy, i, without_reals(x));
	}
	return copy;
}

static json_t *command_of(const struct provenance *p)
{
	json_t *cmd = json_object_get(p->header, "command");
	return json_is_array(cmd) ? json_deep_copy(cmd) : json_array();
}

static json_int_t exit_status(const struct provenance *p)
{
	return (json_int_t)rec_int(p->exit, "status", -1);
}

static const char *verdict_word(enum audit_verdict v)
{
	return v == VERIFY_INTACT ? "intact" : "incomplete";
}

/* in-toto's link:
 * https://github.com/in-toto/docs/blob/master/in-toto-spec.md#44-file-formats-namekeyid-prefixlink
 */
static json_t *link_metadata(const struct facts *f)
{
	json_t *unhashed, *deleted;
	json_t *products = provenance_products(f->p, &unhashed, &deleted);
	json_t *byproducts = json_pack(
	    "{s:I, s:s, s:s, s:s, s:o, s:o}", "return-value", exit_status(f->p),
	    "spx-audit-chain-head", f->verify->head, "spx-audit-chain",
	    rec_str(f->p->header, "chain"), "spx-audit-log", verdict_word(f->verify->verdict),
	    "spx-changed-without-content-hash", unhashed, "spx-deleted", deleted);
	json_t *environment = json_pack(
	    "{s:s, s:s, s:s, s:o*}", "spx-program", rec_str(f->p->header, "program"), "spx-root",
	    *rec_str(f->p->header, "root") ? rec_str(f->p->header, "root")
	                                   : rec_str(f->p->header, "fs"),
	    "spx-host", rec_str(f->p->header, "host"), "spx-options",
	    without_reals(json_object_get(f->p->header, "options")));
	return json_pack("{s:[], s:{s:s, s:s, s:O, s:o, s:o, s:o, s:o}}", "signatures", "signed",
	                 "_type", "link", "name", f->name, "materials", f->p->materials, "products",
	                 products, "byproducts", byproducts, "command", command_of(f->p),
	                 "environment", environment);
}

/* {path: {"sha256": h}} -> [{"name": path, "digest": {"sha256": h}}], sorted. */
static json_t *descriptors(json_t *artifacts)
{
	json_t *list = json_array();
	size_t n = 0;
	const char **keys = sorted_keys(artifacts, &n);
	for (size_t i = 0; keys != NULL && i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:O}", "name", keys[i], "digest",
		                                      json_object_get(artifacts, keys[i])));
	free(keys);
	return list;
}

/* https://slsa.dev/spec/v1.0/provenance */
static json_t *slsa_statement(const struct facts *f)
{
	json_t *unhashed, *deleted;
	json_t *products = provenance_products(f->p, &unhashed, &deleted);
	json_t *subject = descriptors(products);
	json_decref(products);
	json_t *log = json_pack("{s:s, s:{s:s, s:s, s:s, s:I, s:o, s:o}}", "name", "spx-audit-log",
	                        "annotations", "chainHead", f->verify->head, "chain",
	                        rec_str(f->p->header, "chain"), "verdict",
	                        verdict_word(f->verify->verdict), "exitStatus", exit_status(f->p),
	                        "changedWithoutContentHash", unhashed, "deleted", deleted);
	char builder[128];
	snprintf(builder, sizeof(builder), "urn:spx:%s", rec_str(f->p->header, "program"));
	for (char *c = builder; *c; c++)
		if (*c == ' ')
			*c = ':';
	return json_pack(
	    "{s:s, s:o, s:s, s:{s:{s:s, s:{s:o, s:O*}, s:{s:s, s:s}, s:o}, s:{s:{s:s, s:{s:s}},"
	    " s:{s:s, s:s, s:s}, s:[o]}}}",
	    "_type", "https://in-toto.io/Statement/v1", "subject", subject, "predicateType",
	    "https://slsa.dev/provenance/v1", "predicate", "buildDefinition", "buildType",
	    "urn:spx:job:v1", "externalParameters", "command", command_of(f->p), "options",
	    json_object_get(f->p->header, "options"), "internalParameters", "root",
	    *rec_str(f->p->header, "root") ? rec_str(f->p->header, "root")
	                                   : rec_str(f->p->header, "fs"),
	    "host", rec_str(f->p->header, "host"), "resolvedDependencies",
	    descriptors(f->p->materials), "runDetails", "builder", "id", builder, "version",
	    "spxaudit", SPX_VERSION, "metadata", "invocationId", f->verify->head, "startedOn",
	    f->p->first_time, "finishedOn", f->p->last_time, "byproducts", log);
}

static const char usage[] = "provenance [--name STEP] [--statement] [--allow-incomplete] "
                            "[--key FILE] [--head HASH] [-o FILE] LOG";

int cmd_provenance(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"statement", no_argument, NULL, 's'},
	    {"allow-incomplete", no_argument, NULL, 'i'},
	    {"key", required_argument, NULL, 'k'},
	    {"head", required_argument, NULL, 'H'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct chain_key key = {0};
	const char *head = NULL, *output = NULL, *name = "spx-job";
	bool statement = false, allow_incomplete = false;
	int c;
	while ((c = getopt_long(argc, argv, "n:sik:H:o:", longopts, NULL)) != -1) {
		if (c == 'n' && *optarg != '\0')
			name = optarg;
		else if (c == 's')
			statement = true;
		else if (c == 'i')
			allow_incomplete = true;
		else if (c == 'k' && verified_log_key_option(optarg, &key) == EXIT_OK)
			continue;
		else if (c == 'H' && verified_log_head_option(optarg) == EXIT_OK)
			head = optarg;
		else if (c == 'o')
			output = optarg;
		else {
			if (c == '?')
				fprintf(stderr, "spxaudit: provenance: unknown option '%s'\n",
				        argv[optind - 1]);
			else if (c == 'n')
				fprintf(stderr, "spxaudit: provenance: --name wants a step name\n");
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "spxaudit: usage: spxaudit %s\n", usage);
		return EXIT_USAGE;
	}
	const char *path = argv[optind];
	struct audit_verify_result res;
	struct provenance p;
	if (provenance_init(&p) < 0) {
		fprintf(stderr, "spxaudit: out of memory\n");
		return EXIT_UNREADABLE;
	}
	int status = verified_log_read(path, &key, head, &res, add, &p);
	memset(&key, 0, sizeof(key));
	if (status != EXIT_OK) {
		provenance_free(&p);
		return status;
	}
	if (res.verdict == VERIFY_BROKEN ||
	    (res.verdict == VERIFY_INCOMPLETE && !allow_incomplete)) {
		if (res.bad_line > 0)
			fprintf(stderr, "spxaudit: %s: line %lld: ", path, (long long)res.bad_line);
		else
			fprintf(stderr, "spxaudit: %s: ", path);
		fprintf(stderr, "%s: no provenance from a log that is %s\n", res.message,
		        res.verdict == VERIFY_BROKEN
		            ? "not intact"
		            : "incomplete (--allow-incomplete to make it anyway)");
		provenance_free(&p);
		return res.verdict == VERIFY_BROKEN ? EXIT_BROKEN : EXIT_INCOMPLETE;
	}
	struct facts facts = {.p = &p, .verify = &res, .name = name};
	json_t *doc = statement ? slsa_statement(&facts) : link_metadata(&facts);
	provenance_free(&p);
	struct output out;
	char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	if (text == NULL) {
		fprintf(stderr, "spxaudit: out of memory\n");
		return EXIT_OUTPUT;
	}
	if (!output_open(&out, output)) {
		free(text);
		return EXIT_OUTPUT;
	}
	fputs(text, out.f);
	fputc('\n', out.f);
	free(text);
	return output_close(&out, true) ? EXIT_OK : EXIT_OUTPUT;
}
