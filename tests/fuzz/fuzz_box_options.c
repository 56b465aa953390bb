/* libFuzzer target: spxbox's command line (ids, sizes, durations, mounts,
 * environment). The input is split at NUL bytes into argv. */
#include "../../sandbox/options.h"
#include "fuzz_argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[FUZZ_ARGV_MAX];
	int argc = fuzz_argv(data, size, "spxbox", &buf, argv);
	if (argc == 0)
		return 0;
	struct box_options opts;
	(void)box_options_parse(&opts, argc, argv);
	free(buf);
	return 0;
}
