#include "verified_log.h"
#include "logfile.h"

#include <errno.h>
#include <string.h>

int verified_log_key_option(const char *arg, struct chain_key *key)
{
	int r = chain_key_load(arg, key);
	if (r < 0) {
		fprintf(stderr, "spxaudit: key '%s': %s\n", arg,
		        r == -EINVAL ? "must hold 16 to 1024 bytes" : strerror(-r));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int verified_log_head_option(const char *arg)
{
	unsigned char raw[CHAIN_LEN];
	if (chain_unhex(arg, raw) < 0) {
		fprintf(stderr, "spxaudit: --head wants 64 lowercase hex digits\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int verified_log_read(const char *path, const struct chain_key *key, const char *head,
                      struct audit_verify_result *res, bool (*fn)(json_t *rec, void *ctx),
                      void *ctx)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "spxaudit: %s: %s\n", path, strerror(errno));
		return EXIT_UNREADABLE;
	}
	audit_verify_each(f, key, head, res, fn, ctx);
	if (f != stdin)
		fclose(f);
	if (res->verdict != VERIFY_NOT_A_LOG)
		return EXIT_OK;
	if (res->bad_line > 0)
		fprintf(stderr, "spxaudit: %s: line %lld: %s\n", path, (long long)res->bad_line,
		        res->message);
	else
		fprintf(stderr, "spxaudit: %s: %s\n", path, res->message);
	return EXIT_UNREADABLE;
}
