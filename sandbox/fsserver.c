#include "fsserver.h"
#include "self_confine.h"
#include "unmounter.h"
#include "undo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void *serve(void *arg)
{
	struct fs_server *s = arg;
	struct landlock_grant g[3] = {{s->root_fd, landlock_dir_rw()}};
	size_t n = 1;
	if (s->fs.placeholders_fd >= 0)
		g[n++] = (struct landlock_grant){s->fs.placeholders_fd, landlock_dir_ro()};
	if (s->fs.undo != NULL)
		g[n++] = (struct landlock_grant){undo_store_fd(s->fs.undo), landlock_dir_rw()};
	char err[300];
	int ok = self_confine_files("spxbox", g, n, err, sizeof(err));
	if (ok < 0)
		fprintf(stderr, "spxbox: confining the file server: %s\n", err);
	if (write(s->ready[1], &ok, sizeof(ok)) != sizeof(ok) || ok < 0)
		return NULL;
	(void)spx_serve(s->se, &s->fs);
	return NULL;
}

/* Frees the session. fusermount3's mount is gone by then (the unmounter
 * removed it): libfuse then only frees what fuse_session_mount kept, with
 * no umount and no exec, which the supervisor's filter would refuse. */
static void end_session(struct fs_server *s)
{
	if (s->premounted && unmounter_mount_gone(fuse_session_fd(s->se)))
		fuse_session_unmount(s->se);
	fuse_session_destroy(s->se);
	s->se = NULL;
}

int fs_server_mount_user(struct fs_server *s, const char *mnt)
{
	char *argv[] = {"spxbox", "-o", "default_permissions,fsname=spxfs,subtype=spxfs", NULL};
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	s->se = fuse_session_new(&args, &spxfs_ops, sizeof(spxfs_ops), &s->fs);
	fuse_opt_free_args(&args);
	if (s->se == NULL)
		return -ENOMEM;
	if (fuse_session_mount(s->se, mnt) != 0) {
		end_session(s);
		return -EPERM;
	}
	s->premounted = true;
	return 0;
}

int fs_server_start(struct fs_server *s, int fuse_fd)
{
	if (!s->premounted) {
		char *argv[] = {"spxbox", NULL};
		struct fuse_args args = FUSE_ARGS_INIT(1, argv);
		s->se = fuse_session_new(&args, &spxfs_ops, sizeof(spxfs_ops), &s->fs);
		fuse_opt_free_args(&args);
		if (s->se == NULL) {
			close(fuse_fd);
			return -ENOMEM;
		}
		/* libfuse takes "/dev/fd/N" as an already mounted /dev/fuse. */
		char dev[32];
		snprintf(dev, sizeof(dev), "/dev/fd/%d", fuse_fd);
		if (fuse_session_mount(s->se, dev) != 0) {
			close(fuse_fd);
			end_session(s);
			return -EINVAL;
		}
	}
	if (pipe2(s->ready, O_CLOEXEC) < 0) {
		int e = -errno;
		end_session(s);
		return e;
	}
	int ok = -1;
	if (pthread_create(&s->thread, NULL, serve, s) != 0) {
		end_session(s);
		close(s->ready[0]);
		close(s->ready[1]);
		return -EAGAIN;
	}
	if (read(s->ready[0], &ok, sizeof(ok)) != sizeof(ok) || ok < 0) {
		pthread_join(s->thread, NULL);
		end_session(s);
		ok = -EPERM;
	}
	close(s->ready[0]);
	close(s->ready[1]);
	if (ok < 0)
		return ok;
	s->running = 1;
	return 0;
}

bool fs_server_stop(struct fs_server *s, double grace)
{
	if (!s->running)
		return true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)grace;
	if (pthread_timedjoin_np(s->thread, NULL, &until) != 0) {
		fuse_session_exit(s->se);
		return false;
	}
	end_session(s);
	s->running = 0;
	return true;
}

void fs_server_discard(struct fs_server *s)
{
	if (s->se != NULL && !s->running)
		end_session(s);
}
