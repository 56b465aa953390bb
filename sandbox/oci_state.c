#include "oci_state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool oci_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 200 || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_' && id[i] != '-' && id[i] != '.')
			return false;
	return true;
}

int oci_state_dir(const char *root, const char *id, struct oci_state *st)
{
	if ((size_t)snprintf(st->dir, sizeof(st->dir), "%s/%s", root, id) >= sizeof(st->dir) ||
	    (size_t)snprintf(st->id, sizeof(st->id), "%s", id) >= sizeof(st->id))
		return -ENAMETOOLONG;
	return 0;
}

int oci_write_file(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX + 8];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int r = write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int oci_state_save(const struct oci_state *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:O}", "id", st->id, "bundle",
			      st->bundle, "audit_log", st->audit_log, "created", st->created, "pid",
			      (json_int_t)st->pid, "start_time", (json_int_t)st->start_time,
			      "started", st->started, "annotations",
			      st->annotations ? st->annotations : json_null());
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (text == NULL)
		return -ENOMEM;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	int r = oci_write_file(path, text, strlen(text));
	free(text);
	return r;
}

int oci_state_remove(const struct oci_state *st, char *what, size_t len)
{
	static const char *const files[] = {"start", "head", "state.json", "state.json.new"};
	char path[PATH_MAX + 32];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", st->dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(what, len, "%s", path);
			return -errno;
		}
	}
	snprintf(what, len, "%s", st->dir);
	return rmdir(st->dir) < 0 ? -errno : 0;
}

static void copy(char *dst, size_t len, json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	(void)snprintf(dst, len, "%s", v ? v : "");
}

int oci_state_load(const char *root, const char *id, struct oci_state *st)
{
	memset(st, 0, sizeof(*st));
	if (!oci_id_valid(id) || oci_state_dir(root, id, st) < 0)
		return -ENOENT;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (j == NULL)
		return access(path, F_OK) < 0 && errno == ENOENT ? -ENOENT : -EIO;
	copy(st->bundle, sizeof(st->bundle), j, "bundle");
	copy(st->audit_log, sizeof(st->audit_log), j, "audit_log");
	copy(st->created, sizeof(st->created), j, "created");
	st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	st->start_time = (unsigned long long)json_integer_value(json_object_get(j, "start_time"));
	st->started = json_is_true(json_object_get(j, "started"));
	json_t *a = json_object_get(j, "annotations");
	st->annotations = json_is_object(a) ? json_incref(a) : json_object();
	json_decref(j);
	return 0;
}

void oci_state_free(struct oci_state *st)
{
	json_decref(st->annotations);
	st->annotations = NULL;
}

unsigned long long oci_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* after "(comm)": state is field 3, starttime field 22 */
	char *p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22 && p != NULL; field++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	return p != NULL ? strtoull(p, NULL, 10) : 0;
}

const char *oci_status(const struct oci_state *st)
{
	if (st->pid <= 0 || oci_proc_start_time(st->pid) != st->start_time)
		return "stopped";
	return st->started ? "running" : "created";
}

json_t *oci_state_json(const struct oci_state *st)
{
	const char *status = oci_status(st);
	json_t *ann = json_deep_copy(st->annotations ? st->annotations : json_object());
	if (ann == NULL)
		return NULL;
	json_object_set_new(ann, "org.spx.audit-log", json_string(st->audit_log));
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/head", st->dir);
	FILE *f = fopen(path, "re");
	if (f != NULL) {
		char head[80] = "";
		if (fgets(head, sizeof(head), f) != NULL && strlen(head) > 64) {
			head[64] = '\0';
			json_object_set_new(ann, "org.spx.audit-head", json_string(head));
		}
		fclose(f);
	}
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:o}", "ociVersion", "1.0.2", "id", st->id,
			 "status", status, "pid", strcmp(status, "stopped") == 0 ? 0 : (int)st->pid,
			 "bundle", st->bundle, "created", st->created, "annotations", ann);
}
