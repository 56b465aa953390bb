#include "mount_info.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static bool same_mount_path(const char *escaped, const char *path)
{
	while (*escaped && *path) {
		int c = (unsigned char)*escaped;
		if (c == '\\' && escaped[1] >= '0' && escaped[1] <= '3' && escaped[2] && escaped[3]) {
			c = (escaped[1] - '0') * 64 + (escaped[2] - '0') * 8 + (escaped[3] - '0');
			escaped += 3;
		}
		if (c != (unsigned char)*path)
			return false;
		escaped++;
		path++;
	}
	return *escaped == '\0' && *path == '\0';
}

void mount_info_top_spxfs(const char *mnt, char *dev, size_t len)
{
	dev[0] = '\0';
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char major_minor[32], point[4200];
		if (sscanf(line, "%*s %*s %31s %*s %4199s", major_minor, point) != 2 ||
		    !same_mount_path(point, mnt))
			continue;
		const char *sep = strstr(line, " - ");
		bool ours = sep != NULL && strncmp(sep + 3, "fuse.spxfs ", 11) == 0;
		snprintf(dev, len, "%s", ours ? major_minor : "");
	}
	free(line);
	fclose(f);
}

/* Copies the mount point field, decoding mountinfo's \ooo escapes. */
static void decode_path(const char *escaped, char *out, size_t len)
{
	size_t n = 0;
	while (*escaped && n + 1 < len) {
		int c = (unsigned char)*escaped;
		if (c == '\\' && escaped[1] >= '0' && escaped[1] <= '3' && escaped[2] && escaped[3]) {
			c = (escaped[1] - '0') * 64 + (escaped[2] - '0') * 8 + (escaped[3] - '0');
			escaped += 3;
		}
		out[n++] = (char)c;
		escaped++;
	}
	out[n] = '\0';
}

int mount_info_path_of_id(uint64_t mnt_id, char *path, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	int r = -1;
	while (r < 0 && getline(&line, &cap, f) > 0) {
		unsigned long long id;
		char point[4200];
		if (sscanf(line, "%llu %*s %*s %*s %4199s", &id, point) == 2 && id == mnt_id) {
			decode_path(point, path, len);
			r = 0;
		}
	}
	free(line);
	fclose(f);
	return r;
}

bool mount_info_id_is_spxfs(uint64_t mnt_id)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return false;
	char *line = NULL;
	size_t cap = 0;
	bool ours = false;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long id;
		if (sscanf(line, "%llu", &id) != 1 || id != mnt_id)
			continue;
		const char *sep = strstr(line, " - ");
		ours = sep != NULL && strncmp(sep + 3, "fuse.spxfs ", 11) == 0;
		break;
	}
	free(line);
	fclose(f);
	return ours;
}
