#include "report_timeline.h"
#include "html.h"
#include "logfile.h"

#include <string.h>

struct slices {
	long long ops[TIMELINE_SLICES], read[TIMELINE_SLICES], written[TIMELINE_SLICES];
	long long max_ops, max_bytes;
	int64_t span_ns; /* what one slice covers */
};

static void slice(const struct report_model *m, struct slices *s)
{
	memset(s, 0, sizeof(*s));
	int64_t end = 0;
	for (size_t i = 0; i < m->npoints; i++)
		if (m->points[i].t_ns > end)
			end = m->points[i].t_ns;
	s->span_ns = end / TIMELINE_SLICES + 1;
	for (size_t i = 0; i < m->npoints; i++) {
		const struct report_point *p = &m->points[i];
		int64_t k = p->t_ns < 0 ? 0 : p->t_ns / s->span_ns;
		if (k >= TIMELINE_SLICES)
			k = TIMELINE_SLICES - 1;
		s->ops[k]++;
		s->read[k] = add_sat(s->read[k], p->read);
		s->written[k] = add_sat(s->written[k], p->written);
	}
	for (int k = 0; k < TIMELINE_SLICES; k++) {
		if (s->ops[k] > s->max_ops)
			s->max_ops = s->ops[k];
		if (s->read[k] > s->max_bytes)
			s->max_bytes = s->read[k];
		if (s->written[k] > s->max_bytes)
			s->max_bytes = s->written[k];
	}
}

enum { WIDTH = 1000, HEIGHT = 120, BAR = WIDTH / TIMELINE_SLICES };

static double seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

/* One bar of height v/max, with a tooltip saying when and how much. */
static void bar(FILE *out, int k, int sub, int nsub, long long v, long long max, const char *cls,
                const struct slices *s, const char *what, int bytes)
{
	if (v <= 0 || max <= 0)
		return;
	double h = (double)HEIGHT * (double)v / (double)max;
	if (h < 1)
		h = 1;
	double w = (double)BAR / nsub;
	fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
	        cls, k * BAR + sub * w, HEIGHT - h, w - 0.5, h);
	fprintf(out, "<title>%.3f–%.3f s: ", seconds(k * s->span_ns),
	        seconds((k + 1) * s->span_ns));
	if (bytes)
		html_bytes(out, v);
	else
		html_count(out, v);
	fprintf(out, " %s</title></rect>", what);
}

static void axis(FILE *out, const struct slices *s, const char *max_label)
{
	fprintf(out,
	        "<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	        "<text x=\"0\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" "
	        "text-anchor=\"end\">%.3f s</text><text x=\"4\" y=\"12\">%s</text>",
	        HEIGHT, WIDTH, HEIGHT, HEIGHT + 14, WIDTH, HEIGHT + 14,
	        seconds(s->span_ns * TIMELINE_SLICES), max_label);
}

void report_timeline_svg(FILE *out, const struct report_model *m)
{
	struct slices s;
	slice(m, &s);
	char label[96];
	if (s.span_ns < 1000000000)
		snprintf(label, sizeof(label), "operations per %.3f ms (peak %lld)",
		         (double)s.span_ns / 1e6, s.max_ops);
	else
		snprintf(label, sizeof(label), "operations per %.3f s (peak %lld)",
		         seconds(s.span_ns), s.max_ops);
	fprintf(out,
	        "<svg id=\"timeline-ops\" class=\"timeline\" viewBox=\"0 0 %d %d\" "
	        "role=\"img\" aria-label=\"operations over time\">",
	        WIDTH, HEIGHT + 18);
	for (int k = 0; k < TIMELINE_SLICES; k++)
		bar(out, k, 0, 1, s.ops[k], s.max_ops, "ops", &s, "operations", 0);
	axis(out, &s, label);
	fputs("</svg>\n", out);

	fprintf(out,
	        "<svg id=\"timeline-bytes\" class=\"timeline\" viewBox=\"0 0 %d %d\" "
	        "role=\"img\" aria-label=\"bytes read and written over time\">",
	        WIDTH, HEIGHT + 18);
	for (int k = 0; k < TIMELINE_SLICES; k++) {
		bar(out, k, 0, 2, s.read[k], s.max_bytes, "read", &s, "read", 1);
		bar(out, k, 1, 2, s.written[k], s.max_bytes, "written", &s, "written", 1);
	}
	axis(out, &s, "bytes read (blue) and written (orange), counted at each close");
	fputs("</svg>\n", out);
}
