#include "oci.h"
#include "spx_config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct oci_globals oci = {.root = "/run/spxbox-oci"};

int oci_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
	va_end(ap);
	fprintf(stderr, "spxbox-oci: %s\n", msg);
	if (oci.log == NULL)
		return 1;
	int fd = open(oci.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 1;
	char when[40];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	if (oci.log_json) {
		/* msg as a JSON string: quotes, backslashes and controls escaped */
		char esc[2 * sizeof(msg) + 8];
		size_t j = 0;
		for (size_t i = 0; msg[i] && j + 7 < sizeof(esc); i++) {
			unsigned char c = (unsigned char)msg[i];
			if (c == '"' || c == '\\')
				esc[j++] = '\\';
			if (c < 0x20)
				j += (size_t)snprintf(esc + j, sizeof(esc) - j, "\\u%04x", c);
			else
				esc[j++] = (char)c;
		}
		esc[j] = '\0';
		(void)dprintf(fd, "{\"level\":\"error\",\"msg\":\"%s\",\"time\":\"%s\"}\n", esc, when);
	} else {
		(void)dprintf(fd, "time=\"%s\" level=error msg=\"%s\"\n", when, msg);
	}
	close(fd);
	return 1;
}

static const char usage[] =
	"usage: spxbox-oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND ...\n"
	"Run OCI bundles under spxbox: the image's root served by spxfs and audited.\n"
	"\n"
	"  create [--bundle DIR] [--pid-file FILE] [--console-socket PATH] ID\n"
	"  start ID\n"
	"  state ID\n"
	"  kill [--all] ID [SIGNAL]\n"
	"  delete [--force] ID\n"
	"  --version, --help\n"
	"\n"
	"Accepted and ignored: --debug, --systemd-cgroup, --no-pivot, --no-new-keyring.\n"
	"Exit status: 0, or 1 with one line on stderr saying what and why.\n";

int main(int argc, char **argv)
{
	enum { O_ROOT = 256, O_LOG, O_FORMAT, O_IGNORED };
	static const struct option longopts[] = {
		{"root", required_argument, NULL, O_ROOT},
		{"log", required_argument, NULL, O_LOG},
		{"log-format", required_argument, NULL, O_FORMAT},
		{"debug", no_argument, NULL, O_IGNORED},
		{"systemd-cgroup", no_argument, NULL, O_IGNORED},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+hv", longopts, NULL)) != -1) {
		switch (c) {
		case O_ROOT: oci.root = optarg; break;
		case O_LOG: oci.log = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return oci_fail("--log-format wants text or json: %s", optarg);
			oci.log_json = strcmp(optarg, "json") == 0;
			break;
		case O_IGNORED: break;
		case 'v':
			printf("spxbox-oci version %s\nspec: 1.0.2\n", SPX_VERSION);
			return 0;
		case 'h': fputs(usage, stdout); return 0;
		default: return oci_fail("unknown option %s (try --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return oci_fail("no command given (try --help)");
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} commands[] = {
		{"create", oci_create}, {"start", oci_start},	{"state", oci_state},
		{"kill", oci_kill},	{"delete", oci_delete},
	};
	const char *cmd = argv[optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0) {
			int n = argc - optind;
			optind = 0; /* each command parses its own options from its argv */
			return commands[i].run(n, argv + (argc - n));
		}
	return oci_fail("unknown command '%s' (exec, pause, resume, ps and update are not "
			"implemented)", cmd);
}
