/*
 * race_owner: races a root spxfs's creates against a host process that
 * swaps names, and reports whether a file not made by the job ever became
 * the job's, or was opened for writing by it.
 *
 * race_owner swap ROOT MNT UID ITERATIONS
 *   ROOT/p (owned by UID, writable) holds "rootfile", a file of root's.
 *   As UID, one thread mkdirs MNT/p/x and removes it again, while another,
 *   on the host, exchanges ROOT/p/x with ROOT/p/rootfile (RENAME_EXCHANGE)
 *   whenever x exists. A daemon that creates x and then chowns it by name
 *   gives rootfile to UID. Exit 1 if rootfile's owner changed.
 *
 * race_owner create ROOT MNT UID ITERATIONS
 *   The host (root) keeps removing and re-creating ROOT/v, a root file of
 *   mode 0600; a child as UID opens MNT/v with O_WRONLY|O_CREAT|O_TRUNC. A
 *   daemon that creates v, finds it exists and opens it as root hands
 *   the job root's file. Exit 1 if the job ever held a file it does not own.
 *
 * Both print what happened; exit 2 on a setup failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;
static char host_p[4096], host_x[4096], host_rootfile[4096];
static long swaps;

static void *exchanger(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (renameat2(AT_FDCWD, host_x, AT_FDCWD, host_rootfile, RENAME_EXCHANGE) == 0) {
			swaps++;
			/* put rootfile back under its name and remove the new dir */
			(void)renameat2(AT_FDCWD, host_x, AT_FDCWD, host_rootfile, RENAME_EXCHANGE);
		}
	}
	return NULL;
}

static int swap_race(const char *root, const char *mnt, uid_t uid, long n)
{
	snprintf(host_p, sizeof(host_p), "%s/p", root);
	snprintf(host_x, sizeof(host_x), "%s/p/x", root);
	snprintf(host_rootfile, sizeof(host_rootfile), "%s/p/rootfile", root);
	char job_x[4096];
	snprintf(job_x, sizeof(job_x), "%s/p/x", mnt);
	if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) {
		perror("setresuid");
		return 2;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, exchanger, NULL) != 0)
		return 2;
	long made = 0;
	for (long i = 0; i < n; i++) {
		if (mkdir(job_x, 0755) == 0)
			made++;
		(void)rmdir(job_x);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	struct stat st;
	if (stat(host_rootfile, &st) < 0) {
		perror(host_rootfile);
		return 2;
	}
	printf("swap: %ld mkdirs, %ld exchanges, rootfile owner %u\n", made, swaps,
	       (unsigned)st.st_uid);
	return st.st_uid == 0 ? 0 : 1;
}

static int create_race(const char *root, const char *mnt, uid_t uid, long n)
{
	char host_v[4096], job_v[4096];
	snprintf(host_v, sizeof(host_v), "%s/v", root);
	snprintf(job_v, sizeof(job_v), "%s/v", mnt);
	pid_t child = fork();
	if (child < 0)
		return 2;
	if (child == 0) {
		if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(2);
		long opened = 0, foreign = 0;
		for (long i = 0; i < n; i++) {
			int fd = open(job_v, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				continue;
			opened++;
			struct stat st;
			if (fstat(fd, &st) == 0 && st.st_uid != uid)
				foreign++;
			close(fd);
			(void)unlink(job_v);
		}
		printf("create: %ld opened, %ld of them a file of another user\n", opened, foreign);
		fflush(stdout);
		_exit(foreign == 0 ? 0 : 1);
	}
	int status;
	while (waitpid(child, &status, WNOHANG) == 0) {
		(void)unlink(host_v);
		int fd = open(host_v, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd >= 0) {
			(void)!write(fd, "secret\n", 7);
			close(fd);
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: race_owner swap|create ROOT MNT UID ITERATIONS\n");
		return 2;
	}
	uid_t uid = (uid_t)strtoul(argv[4], NULL, 10);
	long n = strtol(argv[5], NULL, 10);
	if (strcmp(argv[1], "swap") == 0)
		return swap_race(argv[2], argv[3], uid, n);
	if (strcmp(argv[1], "create") == 0)
		return create_race(argv[2], argv[3], uid, n);
	return 2;
}
