/* spxaudit verify [--key FILE] [--head HASH] LOG: is the chain intact? */
#include "commands.h"
#include "logfile.h"
#include "reader.h"
#include "verified_log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"head", required_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	struct chain_key key = {0};
	const char *head = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "k:H:", longopts, NULL)) != -1) {
		if (c == 'k') {
			if (verified_log_key_option(optarg, &key) != EXIT_OK)
				return EXIT_USAGE;
		} else if (c == 'H') {
			if (verified_log_head_option(optarg) != EXIT_OK)
				return EXIT_USAGE;
			head = optarg;
		} else {
			fprintf(stderr, "spxaudit: verify: unknown option '%s'\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "spxaudit: usage: spxaudit verify [--key FILE] [--head HASH] LOG\n");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "spxaudit: %s: %s\n", path, strerror(errno));
		return EXIT_UNREADABLE;
	}
	struct audit_verify_result res;
	audit_verify(f, &key, head, &res);
	if (f != stdin)
		fclose(f);
	memset(&key, 0, sizeof(key));
	if (res.bad_line > 0)
		printf("%s: line %lld: %s\n", path, (long long)res.bad_line, res.message);
	else
		printf("%s: %s\n", path, res.message);
	switch (res.verdict) {
	case VERIFY_INTACT:
		return EXIT_OK;
	case VERIFY_INCOMPLETE:
		return EXIT_INCOMPLETE;
	case VERIFY_BROKEN:
		return EXIT_BROKEN;
	default:
		return EXIT_UNREADABLE;
	}
}
