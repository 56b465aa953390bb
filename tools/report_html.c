#include "report_html.h"
#include "html.h"
#include "logfile.h"
#include "record.h"
#include "report_timeline.h"
#include "report_tree.h"
#include "spx_config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define READ_ROWS 2000
#define DENIED_ROWS 200
#define EXEC_ROWS 500

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;"
    "color:#1d1d1f}h1{font-size:20px;margin:18px 0 8px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:1px solid #ddd;padding-bottom:4px}code,.mono{font-family:ui-monospace,"
    "monospace;font-size:12.5px}#verdict{padding:14px 18px;border-radius:6px;margin:16px 0;"
    "border:2px solid}#verdict h1{margin:0 0 6px;font-size:22px}.intact{background:#e9f7ec;"
    "border-color:#2e8540}.tampered{background:#fde8e8;border-color:#c0392b;color:#7a1010}"
    ".incomplete{background:#fff4e0;border-color:#d98c00;color:#6b4400}dl.job{display:grid;"
    "grid-template-columns:max-content 1fr;gap:3px 14px}dl.job dt{font-weight:600}"
    "dl.job dd{margin:0;word-break:break-all}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}ul.tree,ul.tree ul{list-style:none;"
    "padding-left:18px;margin:0}ul.tree{padding-left:0}summary{cursor:pointer}.c{font-weight:700;"
    "font-family:monospace}.chg-A{color:#2e8540}.chg-M{color:#b36b00}.chg-D{color:#c0392b}"
    ".chg-R{color:#1f5fa8}.counts{color:#555;font-size:12.5px;margin-left:8px}.counts span"
    "{margin-right:6px}.sha{color:#666;margin-left:8px}.from,.type,.size{color:#555;"
    "margin-left:8px}.more{color:#777;font-style:italic}svg.timeline{width:100%;height:auto;"
    "display:block;margin:6px 0 14px;font:11px sans-serif}rect.ops{fill:#6a5acd}rect.read"
    "{fill:#3a7bd5}rect.written{fill:#e67e22}line.axis{stroke:#999}.muted{color:#777}"
    "footer{margin-top:32px;color:#777;font-size:12px}input#filter{width:320px;padding:3px 6px}";

/* Filtering the tree by path as one types; the page works without it. */
static const char script[] =
    "document.getElementById('filter').addEventListener('input',function(e){"
    "var q=e.target.value;document.querySelectorAll('ul.tree li[data-path]').forEach("
    "function(li){var hit=!q||li.dataset.path.indexOf(q)>=0||li.querySelector("
    "'li[data-path*=\"'+CSS.escape(q)+'\"]');li.style.display=hit?'':'none';"
    "if(q&&hit){var d=li.querySelector('details');if(d)d.open=true;}});});"
    "document.body.setAttribute('data-script','ran');";

static void verdict(FILE *out, const struct report_input *in, const struct report_model *m)
{
	const struct audit_verify_result *v = in->verify;
	const char *cls = v->verdict == VERIFY_INTACT       ? "intact"
	                  : v->verdict == VERIFY_INCOMPLETE ? "incomplete"
	                                                    : "tampered";
	fprintf(out, "<section id=\"verdict\" class=\"%s\" data-verdict=\"%s\">", cls, cls);
	if (v->verdict == VERIFY_INTACT)
		fputs("<h1>✔ Log intact</h1><p>Every record is chained to the one before, "
		      "and the log ends with the job's end record.",
		      out);
	else if (v->verdict == VERIFY_INCOMPLETE)
		fputs("<h1>⚠ INCOMPLETE log</h1><p>The records present are intact, but the log "
		      "does not end where a finished job's log ends: the job or its file server "
		      "was killed, or the file was cut short. What it did after the last record "
		      "is unknown.",
		      out);
	else
		fputs("<h1>✘ TAMPERED log: do not trust this report</h1><p>The hash chain is "
		      "broken: records were edited, inserted, removed or reordered, or the key or "
		      "head is wrong. Everything below was read from the altered file.",
		      out);
	fputs("</p><p><b>", out);
	if (v->bad_line > 0)
		fprintf(out, "line %lld: ", (long long)v->bad_line);
	html_text(out, v->message);
	fputs("</b></p><p>", out);
	fprintf(out, "Chain: %s%s. Head: <code id=\"head\">%s</code>", rec_str(m->header, "chain"),
	        in->keyed ? " (verified with the key given)" : "", v->head);
	if (in->head_given != NULL)
		fprintf(out, " — %s the head given (<code>%s</code>)",
		        v->verdict == VERIFY_BROKEN ? "checked against" : "matches",
		        in->head_given);
	else
		fputs(" — give it to <code>spxaudit verify --head</code> to catch a log cut short "
		      "at a record boundary",
		      out);
	fputs("</p></section>\n", out);
}

static void row(FILE *out, const char *label, const char *value)
{
	fprintf(out, "<dt>%s</dt><dd>", label);
	html_text(out, value);
	fputs("</dd>\n", out);
}

/* The command as one shell-like line, each argument quoted when it needs to be. */
static void command_line(FILE *out, const json_t *cmd)
{
	size_t i;
	json_t *arg;
	json_array_foreach(cmd, i, arg)
	{
		const char *a = json_string_value(arg);
		if (a == NULL)
			a = "?";
		if (i > 0)
			fputc(' ', out);
		bool plain =
		    *a != '\0' && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                            "0123456789_-./=:,+@%") == strlen(a);
		if (plain) {
			html_text(out, a);
			continue;
		}
		fputc('\'', out);
		for (const char *p = a; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", out);
			else {
				char s[2] = {*p, 0};
				html_text(out, s);
			}
		}
		fputc('\'', out);
	}
}

static void exit_status(FILE *out, const struct report_model *m)
{
	fputs("<dt>Exit</dt><dd id=\"exit\">", out);
	if (m->exit == NULL) {
		fputs(m->start != NULL ? "<b>no exit record</b> (the job's end was not recorded)"
		                       : "— (a log of spxfs alone: no job)",
		      out);
	} else {
		fprintf(out, "status <b id=\"exit-status\">%lld</b>",
		        rec_int(m->exit, "status", -1));
		if (json_object_get(m->exit, "signal") != NULL)
			fprintf(out, ", killed by signal %lld", rec_int(m->exit, "signal", 0));
		if (*rec_str(m->exit, "exec_error") != '\0') {
			fputs(", exec failed: ", out);
			html_text(out, rec_str(m->exit, "exec_error"));
		}
	}
	size_t i;
	json_t *s;
	json_array_foreach(m->signals, i, s)
	{
		if (strcmp(rec_str(s, "op"), "limit") == 0)
			fprintf(out, "; killed at the %s limit (%g s)", rec_str(s, "limit"),
			        json_number_value(json_object_get(s, "seconds")));
		else
			fprintf(out, "; received signal %lld from host pid %lld",
			        rec_int(s, "signal", 0), rec_int(s, "from_pid", 0));
	}
	fputs("</dd>\n", out);
}

static void job(FILE *out, const struct report_model *m)
{
	const json_t *h = m->header;
	fputs("<section id=\"job\"><h2>The job</h2><dl class=\"job\">\n", out);
	if (json_is_array(json_object_get(h, "command"))) {
		fputs("<dt>Command</dt><dd><code id=\"command\">", out);
		command_line(out, json_object_get(h, "command"));
		fputs("</code></dd>\n", out);
	}
	row(out, "Program", rec_str(h, "program"));
	const char *root = *rec_str(h, "root") ? rec_str(h, "root") : rec_str(h, "fs");
	row(out, "ROOT", root);
	if (*rec_str(h, "mountpoint"))
		row(out, "Mount point", rec_str(h, "mountpoint"));
	row(out, "Host", rec_str(h, "host"));
	char *opts = json_dumps(json_object_get(h, "options"), JSON_COMPACT | JSON_SORT_KEYS);
	if (opts != NULL)
		row(out, "Options", opts);
	free(opts);
	if (m->start != NULL)
		fprintf(out, "<dt>Ran as</dt><dd>uid %lld, gid %lld (host pid %lld)</dd>\n",
		        rec_int(m->start, "uid", -1), rec_int(m->start, "gid", -1),
		        rec_int(m->start, "host_pid", -1));
	exit_status(out, m);
	row(out, "Began", m->first_time);
	row(out, "Ended", m->last_time);
	fprintf(out, "<dt>Duration</dt><dd id=\"duration\">%.3f s</dd>\n",
	        rec_seconds_between(m->first_time, m->last_time));
	fputs("<dt>Records</dt><dd id=\"records\">", out);
	html_count(out, m->records);
	fputs(" (", out);
	html_count(out, m->failed);
	fputs(" failed operations); ", out);
	html_bytes(out, m->bytes_read);
	fputs(" read, ", out);
	html_bytes(out, m->bytes_written);
	fputs(" written</dd>\n</dl></section>\n", out);
}

static int changes(FILE *out, const struct report_model *m)
{
	fputs("<section id=\"changes\"><h2>What it changed</h2>"
	      "<p class=\"muted\">A added, M modified, D deleted, R renamed; sizes and SHA-256 "
	      "of each file's final content. Filter: <input id=\"filter\" "
	      "placeholder=\"part of a path\"></p>\n",
	      out);
	int r = report_tree_html(out, changes_state(m->changes));
	fputs("</section>\n", out);
	return r;
}

static int reads(FILE *out, const struct report_model *m)
{
	size_t n = 0;
	const char **keys = sorted_keys(m->reads, &n);
	if (keys == NULL)
		return -1;
	fputs("<section id=\"reads\"><h2>What it read</h2><p class=\"muted\">In full: the SHA-256 "
	      "of exactly what it read. In part: how many bytes. While changing: read in full "
	      "while the file was being written, so no single content was read.</p>",
	      out);
	fputs("<table><thead><tr><th>file</th><th>how</th><th>content</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < n && i < READ_ROWS; i++) {
		json_t *e = json_object_get(m->reads, keys[i]);
		fputs("<tr data-path=\"", out);
		html_text(out, keys[i]);
		fputs("\"><td>", out);
		html_text(out, keys[i]);
		fputs("</td><td>", out);
		const char *hash;
		json_t *times;
		bool first = true;
		json_object_foreach(json_object_get(e, "full"), hash, times)
		{
			fprintf(out, "%sin full</td><td><code class=\"sha\">%s</code>",
			        first ? "" : "</td></tr><tr><td></td><td>", hash);
			first = false;
		}
		if (json_object_get(e, "part") != NULL) {
			fprintf(out, "%sin part</td><td>",
			        first ? "" : "</td></tr><tr><td></td><td>");
			html_bytes(out, rec_int(e, "part", 0));
			first = false;
		}
		if (json_object_get(e, "changing") != NULL)
			fprintf(out, "%swhile changing</td><td>no hash",
			        first ? "" : "</td></tr><tr><td></td><td>");
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (n > READ_ROWS) {
		fputs("<p class=\"more\">… ", out);
		html_count(out, (long long)(n - READ_ROWS));
		fputs(
		    " more files read, not listed; <code>spxaudit reads</code> lists every one</p>",
		    out);
	}
	fputs("</section>\n", out);
	free(keys);
	return 0;
}

static void timeline(FILE *out, const struct report_model *m)
{
	fputs("<section id=\"timeline\"><h2>Over time</h2>\n", out);
	report_timeline_svg(out, m);
	fputs("</section>\n", out);
}

/* Opens a table row named by key (data-ATTR, which tests look for) with
 * key in its first cell, as code. */
static void keyed_row(FILE *out, const char *attr, const char *key)
{
	fprintf(out, "<tr data-%s=\"", attr);
	html_text(out, key);
	fputs("\"><td><code>", out);
	html_text(out, key);
	fputs("</code>", out);
}

static int denied(FILE *out, const struct report_model *m)
{
	size_t n = 0;
	const char **keys = sorted_keys(m->denied, &n);
	if (keys == NULL)
		return -1;
	fputs("<section id=\"denied\"><h2>System calls refused</h2>", out);
	if (n == 0)
		fputs("<p>None.</p>", out);
	else
		fputs("<table><thead><tr><th>call</th><th>times</th><th>answered</th><th>pids</th>"
		      "<th>first call's arguments</th></tr></thead><tbody>\n",
		      out);
	for (size_t i = 0; i < n && i < DENIED_ROWS; i++) {
		json_t *e = json_object_get(m->denied, keys[i]);
		keyed_row(out, "syscall", keys[i]);
		fputs("</td><td class=\"n\">", out);
		html_count(out, rec_int(e, "count", 0));
		fputs("</td><td>", out);
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(e, "results"), k, v)
		{
			html_text(out, k);
			fputc(' ', out);
		}
		fputs("</td><td>", out);
		int shown = 0;
		json_object_foreach(json_object_get(e, "pids"), k, v)
		{
			if (shown++ == 8) {
				fputs("…", out);
				break;
			}
			html_text(out, k);
			fputc(' ', out);
		}
		char *args = json_dumps(json_object_get(e, "args"), JSON_COMPACT);
		fputs("</td><td><code>", out);
		html_text(out, args ? args : "");
		fputs("</code></td></tr>\n", out);
		free(args);
	}
	if (n > 0)
		fputs("</tbody></table>\n", out);
	if (m->unrecorded != NULL) {
		fputs("<p class=\"more\">The log's cap on denial records was reached: ", out);
		html_count(out, rec_int(m->unrecorded, "count", 0));
		fputs(" refusals were not recorded one by one, of ", out);
		html_count(out, rec_int(m->unrecorded, "denials", 0));
		fputs(" in all.</p>", out);
	}
	fputs("</section>\n", out);
	free(keys);
	return 0;
}

static int execs(FILE *out, const struct report_model *m)
{
	size_t n = 0, nf = 0;
	const char **keys = sorted_keys(m->execs, &n);
	const char **files = sorted_keys(m->exec_files, &nf);
	if (keys == NULL || files == NULL) {
		free(keys);
		free(files);
		return -1;
	}
	fputs("<section id=\"execs\"><h2>Programs executed</h2>", out);
	fputs("<table><thead><tr><th>exec of</th><th>times</th><th>refused</th></tr></thead>"
	      "<tbody>\n",
	      out);
	for (size_t i = 0; i < n && i < EXEC_ROWS; i++) {
		json_t *e = json_object_get(m->execs, keys[i]);
		keyed_row(out, "exec", keys[i]);
		if (json_is_true(json_object_get(e, "first")))
			fputs(" <span class=\"muted\">(the job's own start)</span>", out);
		fputs("</td><td class=\"n\">", out);
		html_count(out, rec_int(e, "count", 0));
		fputs("</td><td class=\"n\">", out);
		html_count(out, rec_int(e, "failed", 0));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n<p>The files the kernel opened to execute them, with the "
	      "SHA-256 of their content:</p><table><thead><tr><th>file</th><th>sha256</th>"
	      "<th>times</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < nf && i < EXEC_ROWS; i++) {
		const char *hash;
		json_t *e;
		json_object_foreach(json_object_get(m->exec_files, files[i]), hash, e)
		{
			fputs("<tr data-exec-file=\"", out);
			html_text(out, files[i]);
			fputs("\"><td><code>", out);
			html_text(out, files[i]);
			fprintf(
			    out,
			    "</code></td><td><code class=\"sha\">%s</code></td><td class=\"n\">",
			    hash);
			html_count(out, (long long)json_integer_value(e));
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</tbody></table></section>\n", out);
	free(keys);
	free(files);
	return 0;
}

static void operations(FILE *out, const struct report_model *m)
{
	size_t n = 0;
	const char **keys = sorted_keys(m->ops, &n);
	fputs("<section id=\"ops\"><h2>Operations</h2><table><thead><tr><th>operation</th>"
	      "<th>count</th><th>failed</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; keys != NULL && i < n; i++) {
		json_t *e = json_object_get(m->ops, keys[i]);
		fputs("<tr><td>", out);
		html_text(out, keys[i]);
		fputs("</td><td class=\"n\">", out);
		html_count(out, rec_int(e, "count", 0));
		fputs("</td><td class=\"n\">", out);
		html_count(out, rec_int(e, "failed", 0));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></section>\n", out);
	free(keys);
}

double report_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int report_html(FILE *out, const struct report_input *in, const struct report_model *m)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
	      "<title>spx report: ",
	      out);
	html_text(out, in->log_name);
	fprintf(out, "</title><style>%s</style></head><body>\n", style);
	fputs("<header><h1>What the job did: <code>", out);
	html_text(out, in->log_name);
	fputs("</code></h1></header>\n", out);
	verdict(out, in, m);
	job(out, m);
	if (changes(out, m) < 0 || reads(out, m) < 0)
		return -1;
	timeline(out, m);
	if (denied(out, m) < 0 || execs(out, m) < 0)
		return -1;
	operations(out, m);
	fprintf(out,
	        "<footer id=\"built\">Built by spxaudit %s from %lld records in %.3f s. "
	        "Every path and name above is the job's own text, shown escaped.</footer>\n",
	        SPX_VERSION, (long long)in->verify->records, report_clock() - in->started);
	fprintf(out, "<script>%s</script>\n</body></html>\n", script);
	return 0;
}
