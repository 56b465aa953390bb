#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void record_format_time(const struct timespec *ts, char out[40])
{
	struct tm tm;
	time_t secs = ts->tv_sec;
	if (gmtime_r(&secs, &tm) == NULL) {
		out[0] = '\0';
		return;
	}
	char date[24];
	size_t n = strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	date[n] = '\0';
	(void)snprintf(out, 40, "%s.%09ldZ", date, ts->tv_nsec);
}

int record_parse_time(const char *s, struct timespec *ts)
{
	struct tm tm = {0};
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (rest == NULL)
		return -1;
	long ns = 0;
	if (*rest == '.') {
		int digits = 0;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*rest - '0');
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (strcmp(rest, "Z") != 0)
		return -1;
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = ns;
	return 0;
}

const char *record_result(int err)
{
	if (err == 0)
		return "ok";
	const char *name = strerrorname_np(err);
	return name != NULL ? name : "EUNKNOWN";
}

int record_set_path(json_t *rec, const char *key, const char *path)
{
	size_t len = strlen(path);
	/* jansson refuses strings that are not valid UTF-8. */
	json_t *s = json_stringn(path, len);
	if (s != NULL)
		return json_object_set_new(rec, key, s);
	/* Otherwise: a display form with '?' for every non-ASCII byte, and
	 * the exact bytes in hex. */
	char *shown = malloc(len + 1), *hex = malloc(len * 2 + 1);
	char hexkey[64];
	int r = -1;
	if (shown != NULL && hex != NULL &&
	    snprintf(hexkey, sizeof(hexkey), "%s_hex", key) < (int)sizeof(hexkey)) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)path[i];
			shown[i] = c < 0x80 ? (char)c : '?';
			(void)snprintf(hex + 2 * i, 3, "%02x", c);
		}
		shown[len] = '\0';
		hex[2 * len] = '\0';
		r = json_object_set_new(rec, key, json_string(shown));
		if (r == 0)
			r = json_object_set_new(rec, hexkey, json_string(hex));
	}
	free(shown);
	free(hex);
	return r;
}

char *record_get_path(const json_t *rec, const char *key)
{
	char hexkey[64];
	if (snprintf(hexkey, sizeof(hexkey), "%s_hex", key) >= (int)sizeof(hexkey))
		return NULL;
	const json_t *hex = json_object_get(rec, hexkey);
	if (json_is_string(hex)) {
		const char *h = json_string_value(hex);
		size_t n = strlen(h);
		if (n % 2 != 0)
			return NULL;
		char *out = malloc(n / 2 + 1);
		if (out == NULL)
			return NULL;
		for (size_t i = 0; i < n / 2; i++) {
			unsigned v;
			if (sscanf(h + 2 * i, "%2x", &v) != 1 || v == 0) {
				free(out);
				return NULL;
			}
			out[i] = (char)v;
		}
		out[n / 2] = '\0';
		return out;
	}
	const json_t *s = json_object_get(rec, key);
	if (!json_is_string(s))
		return NULL;
	size_t n = json_string_length(s);
	if (memchr(json_string_value(s), '\0', n) != NULL)
		return NULL;
	return strndup(json_string_value(s), n);
}
