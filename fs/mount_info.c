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
