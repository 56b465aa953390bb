/*
 * oci_state: what spxbox-oci keeps of a container between its commands, in
 * ROOT/ID/ (the runtime's --root): state.json, the start fifo and the
 * file spxbox writes the audit log's chain head to. A container's status
 * comes from its process: gone (or a zombie, or another process that
 * took its pid) is stopped; alive, started or not.
 */
#ifndef SPX_BOX_OCI_STATE_H
#define SPX_BOX_OCI_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct oci_state {
	char id[256];
	char dir[PATH_MAX];	/* ROOT/ID */
	char bundle[PATH_MAX];
	char audit_log[PATH_MAX];
	char created[40];	/* RFC 3339 */
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat's, against pid reuse */
	bool started;
	json_t *annotations; /* owned */
};

/* A container ID: letters, digits, '_', '-', '.', not starting with '.'. */
bool oci_id_valid(const char *id);

/* ROOT/ID into st->dir; 0 or -ENAMETOOLONG. */
int oci_state_dir(const char *root, const char *id, struct oci_state *st);

/* Writes text to path whole or not at all: into PATH.new, renamed over
 * path. 0 or -errno. (state.json, and the engine's pid file.) */
int oci_write_file(const char *path, const char *text, size_t len);

/* Writes state.json atomically (a new file renamed over the old). 0 or
 * -errno. */
int oci_state_save(const struct oci_state *st);

/* Removes ROOT/ID and what spxbox-oci keeps in it (the audit log lives
 * elsewhere and stays). 0 or -errno, with what in what. */
int oci_state_remove(const struct oci_state *st, char *what, size_t len);

/* Reads ROOT/ID/state.json. 0, -ENOENT for no such container, or -errno. */
int oci_state_load(const char *root, const char *id, struct oci_state *st);
void oci_state_free(struct oci_state *st);

/* When the process started (clock ticks since boot), 0 if it is gone or a
 * zombie. */
unsigned long long oci_proc_start_time(pid_t pid);

/* "created", "running" or "stopped". */
const char *oci_status(const struct oci_state *st);

/* The spec's state JSON (ociVersion, id, status, pid, bundle,
 * annotations), with the audit log and, once it is closed, its chain head
 * among the annotations. */
json_t *oci_state_json(const struct oci_state *st);

#endif
