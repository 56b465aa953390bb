/*
 * policy: a --seccomp-policy file, in minijail's text syntax, parsed.
 *
 *   # comment
 *   read: 1                          allow
 *   getpriority: return EPERM        deny with this errno
 *   ioctl: arg1 == 0x5401 || arg1 == FIONREAD
 *   socket: arg0 == AF_UNIX; return EACCES
 *   mmap: arg2 in ~PROT_EXEC         no bit outside the mask
 *   madvise: arg2 & 4                any bit of the mask
 *
 * Conditions compare argN (0-5) with ==, !=, <, <=, >, >=, & (some bit
 * set) or "in" (no bit outside), against a number or a constant name,
 * possibly negated with ~; && binds tighter than ||. "; return E" gives
 * the errno for calls that match no condition (default: the policy's).
 * A call named in the file follows the file, not the default allowlist.
 */
#ifndef SPX_BOX_POLICY_H
#define SPX_BOX_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_RULES 512
#define POLICY_MAX_OR 8
#define POLICY_MAX_AND 6

enum policy_op { P_EQ, P_NE, P_LT, P_LE, P_GT, P_GE, P_ANY_BITS, P_IN };

struct policy_atom {
	unsigned arg;
	enum policy_op op;
	uint64_t value;
};

struct policy_rule {
	char name[40];
	int nr;		/* native syscall number */
	int allow_all;	/* "1" */
	int nor;	/* conditions: OR of ANDs */
	int nand[POLICY_MAX_OR];
	struct policy_atom atoms[POLICY_MAX_OR][POLICY_MAX_AND];
	int errno_value; /* for calls that match no condition; 0: the default answer */
};

struct policy {
	struct policy_rule rules[POLICY_MAX_RULES];
	int n;
};

/* Parses text (NUL-terminated). 0, or -1 with "line N: what" in err. */
int policy_parse(const char *text, struct policy *out, char *err, size_t errlen);

/* Reads and parses a file; err names the file or the line. */
int policy_load(const char *path, struct policy *out, char *err, size_t errlen);

/* The rule for syscall nr, or NULL. */
const struct policy_rule *policy_find(const struct policy *p, int nr);

#endif
