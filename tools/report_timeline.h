/* report_timeline: the job's operations and bytes over time, as two inline
 * SVG bar charts of a fixed number of time slices, whatever the log's size. */
#ifndef SPX_TOOLS_REPORT_TIMELINE_H
#define SPX_TOOLS_REPORT_TIMELINE_H

#include "report_model.h"

#include <stdio.h>

#define TIMELINE_SLICES 100

void report_timeline_svg(FILE *out, const struct report_model *m);

#endif
