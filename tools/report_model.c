/* Gathering a log's records into the report's aggregates; see report_model.h. */
#include "report_model.h"
#include "logfile.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int report_model_init(struct report_model *m)
{
	memset(m, 0, sizeof(*m));
	m->signals = json_array();
	m->ops = json_object();
	m->reads = json_object();
	m->denied = json_object();
	m->execs = json_object();
	m->exec_files = json_object();
	m->changes = changes_new();
	if (m->signals == NULL || m->ops == NULL || m->reads == NULL || m->denied == NULL ||
	    m->execs == NULL || m->exec_files == NULL || m->changes == NULL) {
		report_model_free(m);
		return -1;
	}
	return 0;
}

void report_model_free(struct report_model *m)
{
	json_decref(m->header);
	json_decref(m->start);
	json_decref(m->exit);
	json_decref(m->signals);
	json_decref(m->ops);
	json_decref(m->reads);
	json_decref(m->denied);
	json_decref(m->unrecorded);
	json_decref(m->execs);
	json_decref(m->exec_files);
	changes_free(m->changes);
	free(m->points);
	memset(m, 0, sizeof(*m));
}

static bool add_point(struct report_model *m, const json_t *rec, long long rd, long long wr)
{
	struct timespec ts;
	if (record_parse_time(rec_str(rec, "time"), &ts) < 0)
		return true; /* no place on the timeline; counted everywhere else */
	if (!m->have_t0) {
		m->t0_sec = ts.tv_sec;
		m->t0_nsec = ts.tv_nsec;
		m->have_t0 = 1;
	}
	if (m->npoints == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4096;
		struct report_point *p = realloc(m->points, cap * sizeof(*p));
		if (p == NULL)
			return false;
		m->points = p;
		m->cap = cap;
	}
	/* a log's times may be anything: far apart ones saturate */
	int64_t secs, ns;
	if (__builtin_sub_overflow((int64_t)ts.tv_sec, m->t0_sec, &secs) ||
	    __builtin_mul_overflow(secs, (int64_t)1000000000, &ns))
		ns = secs < 0 ? INT64_MIN / 2 : INT64_MAX / 2;
	m->points[m->npoints++] = (struct report_point){
	    .t_ns = ns + (ts.tv_nsec - m->t0_nsec),
	    .read = rd,
	    .written = wr,
	};
	return true;
}

/* A close tells what was read through it: in full with a hash, in part,
 * or in full while the file changed (no hash). */
static void add_read(struct report_model *m, const json_t *rec)
{
	const char *path = rec_str(rec, "path");
	json_t *hash = json_object_get(rec, "sha256_read");
	long long n = rec_int(rec, "read", 0);
	if (*path == '\0' || (n <= 0 && !json_is_string(hash)))
		return;
	json_t *e = json_object_get(m->reads, path);
	if (e == NULL) {
		e = json_object();
		json_object_set_new(m->reads, path, e);
	}
	if (json_is_string(hash)) {
		json_bump(e, "full", json_string_value(hash), 1);
	} else if (*rec_str(rec, "sha256_read_unknown") != '\0') {
		json_bump(m->reads, path, "changing", 1);
	} else {
		json_bump(m->reads, path, "part", n);
	}
}

static void add_denied(struct report_model *m, const json_t *rec)
{
	const char *call = rec_str(rec, "syscall");
	char pid[32];
	snprintf(pid, sizeof(pid), "%lld", rec_int(rec, "pid", -1));
	json_bump(m->denied, call, "count", 1);
	json_t *e = json_object_get(m->denied, call);
	if (json_object_get(e, "results") == NULL)
		json_object_set_new(e, "results", json_object());
	if (json_object_get(e, "pids") == NULL)
		json_object_set_new(e, "pids", json_object());
	json_bump(json_object_get(e, "results"), rec_str(rec, "result"), "n", 1);
	json_bump(json_object_get(e, "pids"), pid, "n", 1);
	if (json_object_get(e, "args") == NULL && json_object_get(rec, "args") != NULL)
		json_object_set(e, "args", json_object_get(rec, "args"));
}

/* Programs run: each exec the job asked for (spxbox's exec records) and
 * each file the kernel opened to execute, with its hash (spxfs's open
 * records); a symlink such as /bin/sh -> busybox shows in both. */
static void add_exec(struct report_model *m, const json_t *rec)
{
	const char *path = rec_str(rec, "path");
	if (*path == '\0')
		return;
	json_bump(m->execs, path, "count", 1);
	if (strcmp(rec_str(rec, "result"), "ok") != 0)
		json_bump(m->execs, path, "failed", 1);
	if (json_is_true(json_object_get(rec, "first")))
		json_object_set_new(json_object_get(m->execs, path), "first", json_true());
	if (*rec_str(rec, "sha256") != '\0')
		json_bump(m->exec_files, path, rec_str(rec, "sha256"), 1);
}

static void add_exec_file(struct report_model *m, const json_t *rec)
{
	const char *path = rec_str(rec, "path"), *hash = rec_str(rec, "sha256");
	if (*path != '\0' && *hash != '\0')
		json_bump(m->exec_files, path, hash, 1);
}

static void keep(json_t **slot, json_t *rec)
{
	json_decref(*slot);
	*slot = json_incref(rec);
}

bool report_model_add(struct report_model *m, json_t *rec)
{
	const char *op = rec_str(rec, "op");
	const char *t = rec_str(rec, "time");
	if (m->first_time[0] == '\0')
		snprintf(m->first_time, sizeof(m->first_time), "%s", t);
	snprintf(m->last_time, sizeof(m->last_time), "%s", t);
	if (strcmp(op, "header") == 0) {
		keep(&m->header, rec);
		return add_point(m, rec, 0, 0);
	}
	if (strcmp(op, "end") == 0)
		return true;
	m->records++;
	bool has_result = json_object_get(rec, "result") != NULL;
	bool failed = has_result && strcmp(rec_str(rec, "result"), "ok") != 0;
	json_bump(m->ops, op, "count", 1);
	if (failed) {
		json_bump(m->ops, op, "failed", 1);
		m->failed++;
	}
	long long rd = rec_int(rec, "read", 0), wr = rec_int(rec, "written", 0);
	m->bytes_read = add_sat(m->bytes_read, rd > 0 ? rd : 0);
	m->bytes_written = add_sat(m->bytes_written, wr > 0 ? wr : 0);
	changes_track(m->changes, rec);
	if (strcmp(op, "close") == 0 && !failed)
		add_read(m, rec);
	else if (strcmp(op, "start") == 0)
		keep(&m->start, rec);
	else if (strcmp(op, "exit") == 0)
		keep(&m->exit, rec);
	else if (strcmp(op, "signal") == 0 || strcmp(op, "limit") == 0)
		json_array_append(m->signals, rec);
	else if (strcmp(op, "denied") == 0)
		add_denied(m, rec);
	else if (strcmp(op, "denials_unrecorded") == 0)
		keep(&m->unrecorded, rec);
	else if (strcmp(op, "exec") == 0)
		add_exec(m, rec);
	else if (strcmp(op, "open") == 0 && json_is_true(json_object_get(rec, "exec")))
		add_exec_file(m, rec);
	return add_point(m, rec, rd > 0 ? rd : 0, wr > 0 ? wr : 0);
}
