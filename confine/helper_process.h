/* The small processes the daemons fork before confining themselves
 * (spxfs-unmount, spxbox-cleaner) start alike: only two descriptors of
 * theirs stay open, the terminal's signals cannot end them (spxfs and
 * spxbox end cleanly on ^C and then still need them), and they carry a
 * name of their own in ps and /proc. */
#ifndef SPX_HELPER_PROCESS_H
#define SPX_HELPER_PROCESS_H

/* Closes every descriptor above 2 but keep_a and keep_b, ignores SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT and SIGPIPE, and sets the process name. */
void helper_process_begin(const char *name, int keep_a, int keep_b);

#endif
