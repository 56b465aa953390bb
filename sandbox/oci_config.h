/*
 * oci_config: a bundle's config.json, as the OCI runtime spec defines it,
 * turned into the spxbox command line that runs it: root.path served by
 * spxfs as the job's /, process (args, env, cwd, user, rlimits, umask),
 * the bind and tmpfs mounts, and spx's own choices from annotations
 * (org.spx.*). What spxbox provides itself (/proc, /dev) or does not
 * provide (sysfs, cgroups, devpts, mqueue) is left out; joining an
 * existing namespace is refused, naming the field.
 */
#ifndef SPX_BOX_OCI_CONFIG_H
#define SPX_BOX_OCI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#define OCI_MAX_ARGS 512
#define OCI_MAX_RLIMITS 16
#define OCI_MAX_POINTS 16

struct oci_rlimit {
	int resource;
	struct rlimit lim;
};

struct oci_plan {
	char *argv[OCI_MAX_ARGS + 1]; /* spxbox's, NULL-terminated */
	int argc;
	char **env; /* process.env, NULL-terminated */
	struct oci_rlimit rlimits[OCI_MAX_RLIMITS];
	int nrlimits;
	mode_t umask;
	bool has_umask;
	bool terminal;
	char *audit_log;
	json_t *annotations; /* owned */
	char skipped[512];   /* the mounts left out, for the runtime's log */
	/* Mount points the image lacks below its top level (Podman's
	 * /etc/hosts): made in the container's root before it starts, as
	 * runc makes them (oci_make_points). */
	struct {
		char *path; /* relative to the root */
		bool dir;
	} points[OCI_MAX_POINTS];
	int npoints;
};

/* Where spxbox-oci keeps a container's files. */
struct oci_paths {
	const char *spxbox;   /* the spxbox binary */
	const char *bundle;   /* absolute */
	const char *id;
	const char *logs_dir; /* default audit logs: LOGS_DIR/ID.jsonl */
	const char *head;     /* --audit-head file */
	const char *fifo;     /* --start-fifo */
};

/* 0, or -1 with one line in err naming the field and why. */
int oci_config_load(const struct oci_paths *paths, struct oci_plan *plan, char *err,
		    size_t errlen);
/* The same from a parsed config.json, its root at rootpath (rootfs, an
 * O_PATH descriptor of it, answers which mount points exist). */
int oci_config_from(const struct oci_paths *paths, json_t *cfg, const char *rootpath, int rootfs,
		    struct oci_plan *plan, char *err, size_t errlen);
/* Makes plan's missing mount points in the root (rootfs), each name
 * resolved beneath it without following a symlink: an image's link cannot
 * send root's mkdir or create elsewhere. 0, or -1 with err set. */
int oci_make_points(const struct oci_plan *plan, int rootfs, char *err, size_t errlen);

/* Frees what a load or from made, also after a failure. */
void oci_plan_free(struct oci_plan *plan);

#endif
