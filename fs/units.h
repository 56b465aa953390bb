/*
 * units: the values command lines take, shared by spxfs and spxbox.
 */
#ifndef SPX_UNITS_H
#define SPX_UNITS_H

/* A size with an optional K, M, G or T suffix (powers of 1024, either
 * case). 0 or -1. */
int parse_bytes(const char *s, long long *out);

/* A duration in seconds, 0 to 86400 (fractions allowed). 0 or -1. */
int parse_seconds(const char *s, double *out);

#endif
