/* spxaudit: read, filter, summarize and verify spx audit logs. */
#include "commands.h"
#include "logfile.h"
#include "spx_config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: spxaudit COMMAND [OPTIONS] LOG...\n"
	"\n"
	"  show [--json] [FILTERS] LOG      one line per record\n"
	"  follow [--json] [FILTERS] LOG    show a live log as it grows, until its end record\n"
	"  summary [--json] [FILTERS] LOG   operations per kind, bytes per file, errors, duration\n"
	"  changes [--json] LOG             files created (A), modified (M), deleted (D),\n"
	"                                   renamed (R), with their final SHA-256\n"
	"  reads [--json] LOG               files read in full (F, SHA-256 of what was read),\n"
	"                                   in part (P, byte ranges), or while changing (?)\n"
	"  verify [--key FILE] [--head HASH] LOG\n"
	"                                   check the hash chain; --head catches truncation\n"
	"  diff [--json] LOG1 LOG2          files read or written differently by two runs\n"
	"  report [--key FILE] [--head HASH] [-o FILE] LOG\n"
	"                                   one self-contained HTML page of what the job did\n"
	"  provenance [--name STEP] [--statement] [--allow-incomplete] [--key FILE]\n"
	"             [--head HASH] [-o FILE] LOG\n"
	"                                   the job as in-toto link metadata (or, with\n"
	"                                   --statement, a SLSA provenance statement)\n"
	"  undo [--undo-dir DIR] [--root ROOT] [--dry-run] [--force] [--key FILE]\n"
	"       [--head HASH] LOG\n"
	"                                   put ROOT back as it was before the job, from the\n"
	"                                   pre-images spxfs --undo-dir kept\n"
	"\n"
	"FILTERS: --op OP[,OP]  --path GLOB  --pid PID  --since TIME  --until TIME  --failed\n"
	"         (TIME is RFC 3339 UTC, e.g. 2026-11-29T07:31:00Z)\n"
	"OUTPUT: -o, --output FILE (report, provenance; written whole or not at all;\n"
	"        default standard output)\n"
	"LOG may be - for standard input.\n"
	"\n"
	"Exit status: 0 fine; 1 verify, report, provenance, undo: broken chain (tampering, wrong\n"
	"key, --head mismatch), diff: the runs differ, undo: ROOT changed since the job, kept\n"
	"content altered or a step failed, others: a malformed record mid-log; 2 usage\n"
	"error; 3 verify, report, provenance: intact but incomplete (torn tail, no end record);\n"
	"4 missing, unreadable, empty or not an spx audit log; 5 report, provenance: the\n"
	"output could not be written.\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("spxaudit %s\n", SPX_VERSION);
		return EXIT_OK;
	}
	/* Each command parses argv[1..] with its own options. */
	argc--;
	argv++;
	optind = 1;
	if (strcmp(cmd, "show") == 0)
		return cmd_show(argc, argv, false);
	if (strcmp(cmd, "follow") == 0)
		return cmd_show(argc, argv, true);
	if (strcmp(cmd, "summary") == 0)
		return cmd_summary(argc, argv);
	if (strcmp(cmd, "changes") == 0)
		return cmd_changes(argc, argv);
	if (strcmp(cmd, "reads") == 0)
		return cmd_reads(argc, argv);
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(argc, argv);
	if (strcmp(cmd, "diff") == 0)
		return cmd_diff(argc, argv);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(cmd, "provenance") == 0)
		return cmd_provenance(argc, argv);
	if (strcmp(cmd, "undo") == 0)
		return cmd_undo(argc, argv);
	fprintf(stderr, "spxaudit: unknown command '%s' (try 'spxaudit --help')\n", cmd);
	return EXIT_USAGE;
}
