/* libFuzzer target: the --seccomp-policy parser on arbitrary text. */
#include "../../sandbox/policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy pol;
	char err[256];
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)policy_parse(text, &pol, err, sizeof(err));
	free(text);
	return 0;
}
