/* The command-line fuzz targets' input: split at NUL bytes into argv
 * after argv[0], at most 64 arguments. */
#ifndef SPX_FUZZ_ARGV_H
#define SPX_FUZZ_ARGV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ARGV_MAX 66

/* Fills argv (FUZZ_ARGV_MAX slots); returns argc, or 0 when out of memory.
 * *buf holds the arguments' bytes (NUL-terminated as a whole too); free
 * it after the parse. */
static inline int fuzz_argv(const uint8_t *data, size_t size, char *prog, char **buf,
			    char *argv[FUZZ_ARGV_MAX])
{
	*buf = malloc(size + 1);
	if (*buf == NULL)
		return 0;
	memcpy(*buf, data, size);
	(*buf)[size] = '\0';
	int argc = 0;
	argv[argc++] = prog;
	for (size_t i = 0; i <= size && argc < FUZZ_ARGV_MAX - 2;) {
		argv[argc++] = *buf + i;
		i += strlen(*buf + i) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

#endif
