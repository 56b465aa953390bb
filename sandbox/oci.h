/*
 * spxbox-oci: spxbox behind the OCI runtime command line that container
 * engines call (Podman through conmon, containerd's runc shim):
 *
 *   spxbox-oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND ...
 *   create --bundle DIR --pid-file FILE [--console-socket PATH] ID
 *   start ID | state ID | kill [--all] ID [SIGNAL] | delete [--force] ID
 *
 * create starts spxbox (oci_config.h says with what), which sets the
 * container up and waits before the job's execve; start lets it run. The
 * pid the engine waits for is spxbox's: it exits with the job's status.
 * Errors are one line on stderr (and in --log), exit status 1, as runc.
 */
#ifndef SPX_BOX_OCI_H
#define SPX_BOX_OCI_H

#include <stdbool.h>

struct oci_globals {
	const char *root; /* state directory, default /run/spxbox-oci */
	const char *log;  /* --log, or NULL */
	bool log_json;	  /* --log-format json */
};

extern struct oci_globals oci;

/* Reports one error (stderr and --log); returns 1, the exit status. */
int oci_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int oci_create(int argc, char **argv);
int oci_start(int argc, char **argv);
int oci_state(int argc, char **argv);
int oci_kill(int argc, char **argv);
int oci_delete(int argc, char **argv);

#endif
