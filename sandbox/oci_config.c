#include "oci_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(err, len, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
	va_end(ap);
	return -1;
}

static int add(struct oci_plan *p, const char *arg)
{
	if (p->argc == OCI_MAX_ARGS)
		return -1;
	p->argv[p->argc] = strdup(arg);
	return p->argv[p->argc++] == NULL ? -1 : 0;
}

static int add2(struct oci_plan *p, const char *a, const char *b)
{
	return add(p, a) < 0 ? -1 : add(p, b);
}

/* An org.spx.* annotation's value, or NULL. */
static const char *note(const struct oci_plan *p, const char *key)
{
	return json_string_value(json_object_get(p->annotations, key));
}

/* "true"/"false" annotations; def when absent. -1: neither. */
static int flag(const struct oci_plan *p, const char *key, bool def)
{
	const char *v = note(p, key);
	if (v == NULL)
		return def;
	if (strcmp(v, "true") == 0)
		return 1;
	return strcmp(v, "false") == 0 ? 0 : -1;
}

/* spx's choices. Containers usually start a shell, so by default the job
 * may fork and exec (every exec is recorded with its binary's hash);
 * org.spx.single-process=true gives back the seed's single process. */
static int choices(const struct oci_paths *paths, struct oci_plan *p, char *err, size_t len)
{
	int single = flag(p, "org.spx.single-process", false);
	int fork = flag(p, "org.spx.allow-fork", single != 1);
	int exec = flag(p, "org.spx.allow-exec", single != 1);
	int net = flag(p, "org.spx.net", false);
	if (single < 0 || fork < 0 || exec < 0 || net < 0)
		return bad(err, len, "annotations: org.spx.single-process, allow-fork, allow-exec "
				     "and net want \"true\" or \"false\"");
	const char *log = note(p, "org.spx.audit-log");
	char deflog[PATH_MAX];
	if (log == NULL) {
		if ((size_t)snprintf(deflog, sizeof(deflog), "%s/%s.jsonl", paths->logs_dir,
				     paths->id) >= sizeof(deflog))
			return bad(err, len, "the audit log's path is too long");
		log = deflog;
	}
	if ((p->audit_log = strdup(log)) == NULL)
		return bad(err, len, "out of memory");
	const char *sync = note(p, "org.spx.audit-sync");
	const char *policy = note(p, "org.spx.seccomp-policy");
	int r = add2(p, "--audit-log", log);
	if (r == 0 && sync != NULL)
		r = add2(p, "--audit-sync", sync);
	if (r == 0)
		r = add2(p, "--audit-head", paths->head);
	if (r == 0 && policy != NULL)
		r = add2(p, "--seccomp-policy", policy);
	if (r == 0 && fork)
		r = add(p, "--allow-fork");
	if (r == 0 && exec)
		r = add(p, "--allow-exec");
	if (r == 0 && net)
		r = add(p, "--net");
	return r < 0 ? bad(err, len, "too many arguments") : 0;
}

static bool has_option(json_t *opts, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(opts, i, o)
		if (json_is_string(o) && strcmp(json_string_value(o), name) == 0)
			return true;
	return false;
}

static void skip(struct oci_plan *p, const char *dst, const char *why)
{
	size_t at = strlen(p->skipped);
	if (at < sizeof(p->skipped))
		(void)snprintf(p->skipped + at, sizeof(p->skipped) - at, "%s%s (%s)", at ? ", " : "",
			       dst, why);
}

/* Whether the image has the mount point, or spxbox can stand one in for
 * it (a top-level name: a placeholder outside the image). */
static bool has_point(int rootfs, const char *dst)
{
	struct stat st;
	return strchr(dst + 1, '/') == NULL || fstatat(rootfs, dst + 1, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The directory a mount point goes in, opened beneath rootfs without
 * following any symlink; -errno. */
static int parent_beneath(int rootfs, const char *rel, char *base, size_t baselen)
{
	const char *slash = strrchr(rel, '/');
	if (slash == NULL || (size_t)snprintf(base, baselen, "%s", slash + 1) >= baselen || !*base)
		return -EINVAL;
	char dir[PATH_MAX];
	if ((size_t)(slash - rel) >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, rel, (size_t)(slash - rel));
	dir[slash - rel] = '\0';
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
					  RESOLVE_NO_XDEV};
	int fd = (int)syscall(SYS_openat2, rootfs, dir, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* A bind onto a name the image lacks, in a directory it has. */
static int add_point(struct oci_plan *p, int rootfs, const char *src, const char *dst)
{
	char base[NAME_MAX + 1];
	int parent = src != NULL && p->npoints < OCI_MAX_POINTS
			     ? parent_beneath(rootfs, dst + 1, base, sizeof(base))
			     : -EINVAL;
	if (parent < 0)
		return -1;
	close(parent);
	struct stat st;
	p->points[p->npoints].dir = stat(src, &st) == 0 && S_ISDIR(st.st_mode);
	if ((p->points[p->npoints].path = strdup(dst + 1)) == NULL)
		return -1;
	p->npoints++;
	return 0;
}

int oci_make_points(const struct oci_plan *plan, int rootfs, char *err, size_t errlen)
{
	for (int i = 0; i < plan->npoints; i++) {
		char base[NAME_MAX + 1];
		int parent = parent_beneath(rootfs, plan->points[i].path, base, sizeof(base));
		int r = parent < 0 ? parent : 0;
		if (r == 0 && plan->points[i].dir && mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
			r = -errno;
		if (r == 0 && !plan->points[i].dir) {
			int fd = openat(parent, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
			r = fd < 0 ? -errno : 0;
			if (fd >= 0)
				close(fd);
		}
		if (parent >= 0)
			close(parent);
		if (r < 0)
			return bad(err, errlen, "making the mount point /%s: %s", plan->points[i].path,
				   strerror(-r));
	}
	return 0;
}

static int mounts(struct oci_plan *p, json_t *cfg, int rootfs, char *err, size_t len)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(cfg, "mounts"), i, m) {
		const char *dst = json_string_value(json_object_get(m, "destination"));
		const char *type = json_string_value(json_object_get(m, "type"));
		const char *src = json_string_value(json_object_get(m, "source"));
		json_t *opts = json_object_get(m, "options");
		if (dst == NULL || dst[0] != '/')
			return bad(err, len, "mounts[%zu].destination: an absolute path is required", i);
		bool is_bind = (type != NULL && strcmp(type, "bind") == 0) ||
			       has_option(opts, "bind") || has_option(opts, "rbind");
		if (strcmp(dst, "/dev") == 0 || strncmp(dst, "/dev/", 5) == 0 ||
		    strcmp(dst, "/proc") == 0 || strncmp(dst, "/proc/", 6) == 0) {
			skip(p, dst, "spxbox's own /dev and /proc");
			continue;
		}
		if (!is_bind && (type == NULL || strcmp(type, "tmpfs") != 0)) {
			skip(p, dst, type ? type : "no type");
			continue;
		}
		if (!has_point(rootfs, dst) && (!is_bind || add_point(p, rootfs, src, dst) < 0)) {
			skip(p, dst, "the image has no such mount point, nor a directory for it");
			continue;
		}
		int r;
		if (!is_bind)
			r = add2(p, "--tmpfs", dst);
		else if (src == NULL)
			return bad(err, len, "mounts[%zu].source: a bind mount needs a source", i);
		else
			r = add(p, has_option(opts, "ro") ? "--ro-bind" : "--bind") < 0 ? -1
										: add2(p, src, dst);
		if (r < 0)
			return bad(err, len, "mounts: too many");
	}
	return 0;
}

/* spxbox makes its own namespaces, all of them; joining one is not
 * supported. No network namespace asked for: the host's network. */
static int namespaces(struct oci_plan *p, json_t *cfg, char *err, size_t len)
{
	json_t *list = json_object_get(json_object_get(cfg, "linux"), "namespaces");
	bool network = false;
	size_t i;
	json_t *ns;
	json_array_foreach(list, i, ns) {
		const char *type = json_string_value(json_object_get(ns, "type"));
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (type != NULL && strcmp(type, "network") == 0 && path != NULL) {
			/* the engine's network (Podman's bridge): the job's */
			if (add2(p, "--netns", path) < 0)
				return bad(err, len, "too many arguments");
			network = true;
			continue;
		}
		if (json_object_get(ns, "path") != NULL)
			return bad(err, len,
				   "linux.namespaces[%zu].path: joining an existing %s namespace is not "
				   "supported by spxbox-oci",
				   i, type ? type : "");
		network |= type != NULL && strcmp(type, "network") == 0;
	}
	if (!network && add(p, "--net") < 0)
		return bad(err, len, "too many arguments");
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},	  {"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},	  {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
};

static int rlimits(struct oci_plan *p, json_t *process, char *err, size_t len)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(process, "rlimits"), i, r) {
		const char *type = json_string_value(json_object_get(r, "type"));
		size_t k = 0;
		while (k < sizeof(rlimit_names) / sizeof(rlimit_names[0]) &&
		       (type == NULL || strcmp(type, rlimit_names[k].name) != 0))
			k++;
		json_t *hard = json_object_get(r, "hard"), *soft = json_object_get(r, "soft");
		if (k == sizeof(rlimit_names) / sizeof(rlimit_names[0]))
			return bad(err, len, "process.rlimits[%zu].type: unknown limit '%s'", i,
				   type ? type : "");
		if (!json_is_integer(hard) || !json_is_integer(soft) || p->nrlimits == OCI_MAX_RLIMITS)
			return bad(err, len, "process.rlimits[%zu]: hard and soft must be numbers", i);
		p->rlimits[p->nrlimits++] = (struct oci_rlimit){
			rlimit_names[k].resource,
			{(rlim_t)json_integer_value(soft), (rlim_t)json_integer_value(hard)}};
	}
	return 0;
}

static int process(struct oci_plan *p, json_t *proc, char *err, size_t len)
{
	json_t *args = json_object_get(proc, "args");
	if (!json_is_array(args) || json_array_size(args) == 0)
		return bad(err, len, "process.args: a non-empty list is required");
	json_t *user = json_object_get(proc, "user");
	json_t *uid = json_object_get(user, "uid"), *gid = json_object_get(user, "gid");
	if (!json_is_integer(uid) || !json_is_integer(gid))
		return bad(err, len, "process.user: uid and gid are required numbers");
	int r = 0;
	/* Unprivileged, the container's root is the caller, as in a rootless
	 * runc: spxbox then runs the job as the caller. */
	bool callers = geteuid() != 0 && json_integer_value(uid) == 0 && json_integer_value(gid) == 0;
	if (!callers) {
		char n[24];
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(uid));
		r = add2(p, "--uid", n);
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(gid));
		if (r == 0)
			r = add2(p, "--gid", n);
	}
	json_t *umask = json_object_get(user, "umask");
	if (json_is_integer(umask)) {
		p->umask = (mode_t)json_integer_value(umask) & 0777;
		p->has_umask = true;
	}
	const char *cwd = json_string_value(json_object_get(proc, "cwd"));
	if (cwd == NULL || cwd[0] != '/')
		return bad(err, len, "process.cwd: an absolute path is required");
	if (r == 0)
		r = add2(p, "--chdir", cwd);
	p->terminal = json_is_true(json_object_get(proc, "terminal"));
	json_t *env = json_object_get(proc, "env");
	size_t nenv = json_array_size(env), i;
	json_t *e;
	p->env = calloc(nenv + 1, sizeof(char *));
	if (p->env == NULL)
		return bad(err, len, "out of memory");
	json_array_foreach(env, i, e) {
		if (!json_is_string(e) || strchr(json_string_value(e), '=') == NULL)
			return bad(err, len, "process.env[%zu]: KEY=VALUE strings are required", i);
		if ((p->env[i] = strdup(json_string_value(e))) == NULL)
			return bad(err, len, "out of memory");
	}
	if (r == 0)
		r = add(p, "--");
	json_array_foreach(args, i, e) {
		if (!json_is_string(e))
			return bad(err, len, "process.args[%zu]: a string is required", i);
		if (r == 0)
			r = add(p, json_string_value(e));
	}
	return r < 0 ? bad(err, len, "too many arguments") : rlimits(p, proc, err, len);
}

int oci_config_from(const struct oci_paths *paths, json_t *cfg, const char *rootpath, int rootfs,
		    struct oci_plan *plan, char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	json_t *ann = json_object_get(cfg, "annotations");
	plan->annotations = json_is_object(ann) ? json_incref(ann) : json_object();
	json_t *proc = json_object_get(cfg, "process");
	if (!json_is_object(proc))
		return bad(err, errlen, "process: required");
	if (add(plan, paths->spxbox) < 0 || add(plan, "--quiet") < 0 ||
	    (json_is_true(json_object_get(json_object_get(cfg, "root"), "readonly")) &&
	     add(plan, "--read-only") < 0) ||
	    add2(plan, "--root", rootpath) < 0 || add2(plan, "--tmp", "root") < 0 ||
	    add2(plan, "--start-fifo", paths->fifo) < 0 || add2(plan, "--ready-fd", "3") < 0)
		return bad(err, errlen, "out of memory");
	if (choices(paths, plan, err, errlen) < 0 || namespaces(plan, cfg, err, errlen) < 0 ||
	    mounts(plan, cfg, rootfs, err, errlen) < 0)
		return -1;
	return process(plan, proc, err, errlen);
}

int oci_config_load(const struct oci_paths *paths, struct oci_plan *plan, char *err,
		    size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", paths->bundle) >= sizeof(path))
		return bad(err, errlen, "the bundle's path is too long");
	json_error_t je;
	json_t *cfg = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (cfg == NULL)
		return bad(err, errlen, "%s: line %d: %s", path, je.line, je.text);
	int r = -1, rootfs = -1;
	const char *root = json_string_value(json_object_get(json_object_get(cfg, "root"), "path"));
	char rootpath[PATH_MAX];
	if (root == NULL)
		bad(err, errlen, "root.path: required");
	else if ((size_t)snprintf(rootpath, sizeof(rootpath), "%s%s%s", root[0] == '/' ? "" : paths->bundle,
				  root[0] == '/' ? "" : "/", root) >= sizeof(rootpath))
		bad(err, errlen, "root.path: too long");
	else if ((rootfs = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		bad(err, errlen, "root.path: %s: %s", rootpath, strerror(errno));
	else if ((r = oci_config_from(paths, cfg, rootpath, rootfs, plan, err, errlen)) == 0)
		r = oci_make_points(plan, rootfs, err, errlen);
	if (rootfs >= 0)
		close(rootfs);
	json_decref(cfg);
	return r;
}

void oci_plan_free(struct oci_plan *plan)
{
	for (int i = 0; i < plan->argc; i++)
		free(plan->argv[i]);
	for (size_t i = 0; plan->env != NULL && plan->env[i] != NULL; i++)
		free(plan->env[i]);
	free(plan->env);
	free(plan->audit_log);
	for (int i = 0; i < plan->npoints; i++)
		free(plan->points[i].path);
	json_decref(plan->annotations);
	memset(plan, 0, sizeof(*plan));
}
