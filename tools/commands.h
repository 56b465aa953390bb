/* The spxaudit subcommands; each parses its own options and returns an
 * exit status (logfile.h). argv[0] is the subcommand's name. */
#ifndef SPX_TOOLS_COMMANDS_H
#define SPX_TOOLS_COMMANDS_H

#include <stdbool.h>

int cmd_show(int argc, char **argv, bool follow);
int cmd_summary(int argc, char **argv);
int cmd_changes(int argc, char **argv);
int cmd_reads(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_provenance(int argc, char **argv);
int cmd_undo(int argc, char **argv);

#endif
