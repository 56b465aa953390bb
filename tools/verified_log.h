/* verified_log: a log opened for a command that must say whether it can be
 * trusted before it says what it holds (report, provenance): its chain is
 * verified in the same pass that reads its records. */
#ifndef SPX_TOOLS_VERIFIED_LOG_H
#define SPX_TOOLS_VERIFIED_LOG_H

#include "reader.h"

#include <stdio.h>

/* --key FILE and --head HASH, as verify takes them: EXIT_OK or EXIT_USAGE
 * (message printed). */
int verified_log_key_option(const char *arg, struct chain_key *key);
int verified_log_head_option(const char *arg);

/* Verifies path ("-": standard input) with key (may be empty) and head
 * (may be NULL) and, in the same pass, gives fn each record (borrowed; see
 * audit_verify_each). Returns EXIT_OK with res holding the verdict (any
 * but VERIFY_NOT_A_LOG), or prints one line and returns EXIT_UNREADABLE. */
int verified_log_read(const char *path, const struct chain_key *key, const char *head,
                      struct audit_verify_result *res, bool (*fn)(json_t *rec, void *ctx),
                      void *ctx);

#endif
