/* libFuzzer target: spxfs's command line. The input is split at NUL bytes
 * into argv; the whole input also goes to the size and duration parsers
 * (units.c), which spxbox's options share. */
#include "fuzz_argv.h"
#include "options.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[FUZZ_ARGV_MAX];
	int argc = fuzz_argv(data, size, "spxfs", &buf, argv);
	if (argc == 0)
		return 0;
	struct spxfs_options opts;
	(void)options_parse(&opts, argc, argv);
	double d;
	long long n;
	(void)parse_seconds(buf, &d);
	(void)parse_bytes(buf, &n);
	free(buf);
	return 0;
}
