#include "policy.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static const struct {
	const char *name;
	uint64_t value;
} constants[] = {
	{"AF_UNIX", AF_UNIX},	  {"AF_LOCAL", AF_LOCAL},   {"AF_INET", AF_INET},
	{"AF_INET6", AF_INET6},	  {"AF_NETLINK", AF_NETLINK}, {"PROT_NONE", PROT_NONE},
	{"PROT_READ", PROT_READ}, {"PROT_WRITE", PROT_WRITE}, {"PROT_EXEC", PROT_EXEC},
	{"MAP_SHARED", MAP_SHARED}, {"MAP_PRIVATE", MAP_PRIVATE}, {"MAP_ANONYMOUS", MAP_ANONYMOUS},
	{"O_RDONLY", O_RDONLY},	  {"O_WRONLY", O_WRONLY},   {"O_RDWR", O_RDWR},
	{"O_CREAT", O_CREAT},	  {"O_CLOEXEC", O_CLOEXEC}, {"CLONE_THREAD", CLONE_THREAD},
	{"TCGETS", TCGETS},	  {"TCSETS", TCSETS},	    {"TIOCGWINSZ", TIOCGWINSZ},
	{"FIONREAD", FIONREAD},	  {"FIONBIO", FIONBIO},	    {"FIOCLEX", FIOCLEX},
	{"SOCK_STREAM", SOCK_STREAM}, {"SOCK_DGRAM", SOCK_DGRAM}, {"SOCK_CLOEXEC", SOCK_CLOEXEC},
};

struct cursor {
	const char *p;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct cursor *c, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
	va_end(ap);
	(void)snprintf(c->err, c->errlen, "line %d: %s", c->line, what);
	return -1;
}

static void skip_space(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static int word(struct cursor *c, char *out, size_t len)
{
	skip_space(c);
	size_t n = 0;
	while (isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
		n++;
	if (n == 0 || n >= len)
		return -1;
	memcpy(out, c->p, n);
	out[n] = '\0';
	c->p += n;
	return 0;
}

static int value(struct cursor *c, uint64_t *out)
{
	skip_space(c);
	bool neg = false;
	if (*c->p == '~') {
		neg = true;
		c->p++;
		skip_space(c);
	}
	if (isdigit((unsigned char)*c->p)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(c->p, &end, 0);
		if (errno != 0 || isalnum((unsigned char)*end))
			return fail(c, "bad number");
		c->p = end;
		*out = neg ? ~(uint64_t)v : v;
		return 0;
	}
	char name[40];
	if (word(c, name, sizeof(name)) < 0)
		return fail(c, "expected a number or a constant");
	for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++)
		if (strcmp(constants[i].name, name) == 0) {
			*out = neg ? ~constants[i].value : constants[i].value;
			return 0;
		}
	return fail(c, "unknown constant '%s'", name);
}

static int errno_of(struct cursor *c, int *out)
{
	skip_space(c);
	if (isdigit((unsigned char)*c->p)) {
		uint64_t v;
		if (value(c, &v) < 0 || v == 0 || v > 4095)
			return fail(c, "return wants an errno between 1 and 4095");
		*out = (int)v;
		return 0;
	}
	char name[40];
	if (word(c, name, sizeof(name)) < 0)
		return fail(c, "return wants an errno name or number");
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n != NULL && strcmp(n, name) == 0) {
			*out = e;
			return 0;
		}
	}
	return fail(c, "unknown errno '%s'", name);
}

static int atom(struct cursor *c, struct policy_atom *a)
{
	skip_space(c);
	if (strncmp(c->p, "arg", 3) != 0 || c->p[3] < '0' || c->p[3] > '5' ||
	    isalnum((unsigned char)c->p[4]))
		return fail(c, "expected arg0 to arg5");
	a->arg = (unsigned)(c->p[3] - '0');
	c->p += 4;
	skip_space(c);
	static const struct {
		const char *text;
		enum policy_op op;
	} ops[] = {{"==", P_EQ}, {"!=", P_NE}, {"<=", P_LE}, {">=", P_GE}, {"<", P_LT},
		   {">", P_GT},	 {"&", P_ANY_BITS}, {"in", P_IN}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(c->p, ops[i].text, n) == 0 && !(ops[i].op == P_ANY_BITS && c->p[1] == '&') &&
		    !(ops[i].op == P_IN && isalnum((unsigned char)c->p[2]))) {
			a->op = ops[i].op;
			c->p += n;
			return value(c, &a->value);
		}
	}
	return fail(c, "expected an operator (== != < <= > >= & in)");
}

static int conditions(struct cursor *c, struct policy_rule *r)
{
	for (;;) {
		if (r->nor == POLICY_MAX_OR)
			return fail(c, "more than %d alternatives (||)", POLICY_MAX_OR);
		int k = r->nor++;
		for (;;) {
			if (r->nand[k] == POLICY_MAX_AND)
				return fail(c, "more than %d conditions joined by &&", POLICY_MAX_AND);
			if (atom(c, &r->atoms[k][r->nand[k]++]) < 0)
				return -1;
			skip_space(c);
			if (strncmp(c->p, "&&", 2) != 0)
				break;
			c->p += 2;
		}
		if (strncmp(c->p, "||", 2) != 0)
			return 0;
		c->p += 2;
	}
}

static int body(struct cursor *c, struct policy_rule *r)
{
	skip_space(c);
	if (strncmp(c->p, "return", 6) == 0 && !isalnum((unsigned char)c->p[6])) {
		c->p += 6;
		return errno_of(c, &r->errno_value);
	}
	if (c->p[0] == '1' && !isalnum((unsigned char)c->p[1])) {
		c->p++;
		r->allow_all = 1;
		return 0;
	}
	if (conditions(c, r) < 0)
		return -1;
	skip_space(c);
	if (*c->p == ';') {
		c->p++;
		skip_space(c);
		if (strncmp(c->p, "return", 6) != 0)
			return fail(c, "expected 'return' after ';'");
		c->p += 6;
		return errno_of(c, &r->errno_value);
	}
	return 0;
}

static int line(struct cursor *c, struct policy *out)
{
	skip_space(c);
	if (*c->p == '#' || *c->p == '\n' || *c->p == '\0')
		return 0;
	if (out->n == POLICY_MAX_RULES)
		return fail(c, "more than %d rules", POLICY_MAX_RULES);
	struct policy_rule *r = &out->rules[out->n];
	memset(r, 0, sizeof(*r));
	if (word(c, r->name, sizeof(r->name)) < 0)
		return fail(c, "expected a system call name");
	r->nr = seccomp_syscall_resolve_name(r->name);
	if (r->nr == __NR_SCMP_ERROR)
		return fail(c, "unknown system call '%s'", r->name);
	if (policy_find(out, r->nr) != NULL)
		return fail(c, "'%s' appears twice", r->name);
	skip_space(c);
	if (*c->p != ':')
		return fail(c, "expected ':' after '%s'", r->name);
	c->p++;
	if (body(c, r) < 0)
		return -1;
	skip_space(c);
	if (*c->p == '#')
		while (*c->p && *c->p != '\n')
			c->p++;
	if (*c->p != '\n' && *c->p != '\0')
		return fail(c, "unexpected '%c'", *c->p);
	out->n++;
	return 0;
}

int policy_parse(const char *text, struct policy *out, char *err, size_t errlen)
{
	struct cursor c = {.p = text, .line = 1, .err = err, .errlen = errlen};
	out->n = 0;
	while (*c.p) {
		if (line(&c, out) < 0)
			return -1;
		while (*c.p && *c.p != '\n')
			c.p++; /* a comment's rest */
		if (*c.p == '\n') {
			c.p++;
			c.line++;
		}
	}
	return 0;
}

int policy_load(const char *path, struct policy *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *text = calloc(1, 1 << 20);
	size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
	int bad = text == NULL || ferror(f) || !feof(f) || memchr(text, '\0', n) != NULL;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: unreadable, binary or larger than 1 MiB", path);
		free(text);
		return -1;
	}
	char why[256];
	int r = policy_parse(text, out, why, sizeof(why));
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return r;
}

const struct policy_rule *policy_find(const struct policy *p, int nr)
{
	for (int i = 0; i < p->n; i++)
		if (p->rules[i].nr == nr)
			return &p->rules[i];
	return NULL;
}
