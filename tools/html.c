#include "html.h"

void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

void html_bytes(FILE *out, long long n)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		fprintf(out, "%lld B", n);
	else
		fprintf(out, "%.1f %s", v, unit[u]);
}

static void count_digits(FILE *out, unsigned long long n)
{
	if (n >= 1000) {
		count_digits(out, n / 1000);
		fprintf(out, ",%03llu", n % 1000);
	} else {
		fprintf(out, "%llu", n);
	}
}

void html_count(FILE *out, long long n)
{
	if (n < 0)
		fputc('-', out);
	count_digits(out, n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n);
}
