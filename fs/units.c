#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int parse_bytes(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	int shift = 0;
	if (*end != '\0') {
		const char *units = "KMGT";
		const char *u = strchr(units, toupper((unsigned char)*end));
		if (u == NULL || end[1] != '\0')
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (shift > 0 && v > (LLONG_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 86400.0))
		return -1;
	*out = v;
	return 0;
}
