/*
 * preimage: the content of a file an undo log keeps (spxfs --undo-dir),
 * moved the same way in both directions: into the undo directory before
 * the job changes the file, and back into ROOT by spxaudit undo. The two
 * directories may sit on different filesystems.
 */
#ifndef SPX_AUDIT_PREIMAGE_H
#define SPX_AUDIT_PREIMAGE_H

/* Copies src's whole content into dst (empty, opened for writing): a
 * reflink (FICLONE) where the filesystem can share the blocks, else
 * copy_file_range, else read and write (across filesystems of different
 * kinds). *method: "reflink" or "copy". 0 or -errno. */
int preimage_copy(int src, int dst, const char **method);

#endif
