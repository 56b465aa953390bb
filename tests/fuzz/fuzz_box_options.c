/* libFuzzer target: spxbox's command line (ids, sizes, durations, mounts,
 * environment). The input is split at NUL bytes into argv. */
#include "../../sandbox/options.h"
#include "units.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[66];
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	int argc = 0;
	argv[argc++] = "spxbox";
	for (size_t i = 0; i <= size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	struct box_options opts;
	(void)box_options_parse(&opts, argc, argv);
	double d;
	long long n;
	(void)parse_seconds(buf, &d);
	(void)parse_bytes(buf, &n);
	free(buf);
	return 0;
}
