/* page_text.c — the HTML page's text: the labels file (a name's label
 * and its about text), escaping, and the figures as people read them
 * (durations, times, dates, thousands) (page_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_paths.h"
#include "page_int.h"

/* ---------- labels ---------- */


struct lab_rd {
	struct jt_labels *l;
	long c_name, c_label, c_about;
};

static void lab_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct lab_rd *rd = ctx;
	rd->c_name = jt_col_find(h, "name");
	rd->c_label = jt_col_find(h, "label");
	rd->c_about = jt_col_find(h, "description");
	if (rd->c_name < 0 || rd->c_label < 0)
		jt_die_at(src, 1, "labels file: no column '%s' (a labels file starts name,label[,description])",
			  rd->c_name < 0 ? "name" : "label");
}

static char *dup_nonempty(const char *s, size_t n) { return n ? jt_xmemdup(s, n) : NULL; }

static void lab_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct lab_rd *rd = ctx;
	struct jt_labels *l = rd->l;
	const char *name = rec->f[rd->c_name];
	size_t n = rec->len[rd->c_name];
	int isnew;
	if (n == 0)
		jt_die_at(src, rec->line, "labels file: empty name");
	size_t e = jt_map_put(&l->map, name, n, 0, &isnew);
	if (!isnew)
		jt_die_at(src, rec->line, "labels file: '%s' is labelled twice", jt_show(name, n));
	if (e >= l->cap) {
		size_t cap = l->cap;
		void *p = l->label;
		jt_xgrow(&p, &cap, e + 1, sizeof *l->label);
		l->label = p;
		p = l->about;
		jt_xgrow(&p, &l->cap, e + 1, sizeof *l->about);
		l->about = p;
	}
	l->label[e] = dup_nonempty(rec->f[rd->c_label], rec->len[rd->c_label]);
	l->about[e] = rd->c_about >= 0 ? dup_nonempty(rec->f[rd->c_about], rec->len[rd->c_about]) : NULL;
}

struct jt_labels *jt_labels_load(const char *path)
{
	struct jt_labels *l = jt_xcalloc(1, sizeof *l);
	if (path) {
		l->path = jt_xstrdup(path);
	} else {
		struct jt_buf b = JT_BUF_INIT;
		jt_buf_printf(&b, "%s/labels.csv", jt_datadir());
		l->path = b.p;
		if (access(l->path, F_OK) != 0)
			return l;	/* an older data folder: names as they are */
	}
	jt_path_config("labels file", l->path);
	FILE *fp = fopen(l->path, "rb");
	if (!fp)
		jt_die("%s:", l->path);
	fclose(fp);
	struct jt_dialect d = { .delim = ',', .ragged = 1 };	/* a short row: no description */
	struct lab_rd rd = { l, -1, -1, -1 };
	jt_read(l->path, &d, NULL, lab_header, lab_record, &rd);
	return l;
}

void jt_labels_free(struct jt_labels *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->map.n; i++) {
		free(l->label[i]);
		free(l->about[i]);
	}
	free(l->label);
	free(l->about);
	free(l->path);
	jt_map_free(&l->map);
	free(l);
}

const char *jt_label(const struct jt_labels *l, const char *name, size_t n)
{
	long e = l ? jt_map_find(&l->map, name, n) : -1;
	return e < 0 ? NULL : l->label[e];
}

const char *jt_label_about(const struct jt_labels *l, const char *name, size_t n)
{
	long e = l ? jt_map_find(&l->map, name, n) : -1;
	return e < 0 ? NULL : l->about[e];
}

/* ---------- text ---------- */

/* Text for HTML: every byte that could open markup or an attribute escaped. */
void jt_pg_esc(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		case '\0': fputs("&#65533;", fp); break;
		default: putc(s[i], fp);
		}
	}
}

void jt_pg_escs(FILE *fp, const char *s) { jt_pg_esc(fp, s, strlen(s)); }


/* The label of a name (escaped), or the name itself. */
void jt_pg_lab(FILE *fp, const struct jt_page *pg, const char *s, size_t n)
{
	const char *l = jt_label(pg->h->labels, s, n);
	if (l)
		jt_pg_escs(fp, l);
	else
		jt_pg_esc(fp, s, n);
}

void jt_pg_lab_s(FILE *fp, const struct jt_page *pg, const char *s) { jt_pg_lab(fp, pg, s, strlen(s)); }

/* "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s": two units, the smaller one rounded. */
char *jt_pg_fmt_dur(double secs, char *buf)
{
	double a = fabs(secs);
	long long s = (long long)(a + 0.5);
	const char *sg = secs < 0 && s ? "-" : "";
	if (s >= 86400 - 1800) {
		long long th = (s + 1800) / 3600;
		snprintf(buf, 64, "%s%lld d %lld h", sg, th / 24, th % 24);
	} else if (s >= 3600 - 30) {
		long long tm = (s + 30) / 60;
		snprintf(buf, 64, "%s%lld h %lld min", sg, tm / 60, tm % 60);
	} else if (s >= 60) {
		snprintf(buf, 64, "%s%lld min %lld s", sg, s / 60, s % 60);
	} else {
		snprintf(buf, 64, "%s%lld s", sg, s);
	}
	return buf;
}

/* 15597 -> "15,597" (prose only: tables keep the figures as computed). */
char *jt_pg_group3(const char *s, size_t n, char *buf)
{
	size_t k = 0;
	int neg = n && s[0] == '-';
	if (n > 40 || n == (size_t)neg) {
		snprintf(buf, 64, "%.*s", (int)(n < 63 ? n : 63), s);
		return buf;
	}
	for (size_t i = (size_t)neg; i < n; i++)
		if (s[i] < '0' || s[i] > '9') {
			snprintf(buf, 64, "%.*s", (int)n, s);
			return buf;
		}
	if (neg)
		buf[k++] = '-';
	for (size_t i = (size_t)neg; i < n; i++) {
		if (i > (size_t)neg && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = s[i];
	}
	buf[k] = '\0';
	return buf;
}

/* A canonical UTC time (2024-01-08T07:53:57Z) as 2024-01-08 07:53, or as the
 * date alone at midnight; 0 when s is not one. */
int jt_pg_fmt_time(const char *s, size_t n, char *buf)
{
	int64_t t;
	if (n != 20 || s[10] != 'T' || s[19] != 'Z' || jt_time_parse(s, n, &t) != 0)
		return 0;
	if (memcmp(s + 11, "00:00:00", 8) == 0)
		snprintf(buf, 64, "%.10s", s);
	else
		snprintf(buf, 64, "%.10s %.5s", s, s + 11);
	return 1;
}

void jt_pg_date_of(int64_t t, char *buf)
{
	char b[32];
	jt_time_format(t, b);
	snprintf(buf, 16, "%.10s", b);
}

int jt_pg_is_num(const char *s, size_t n, double *v) { return n && jt_double_parse(s, n, v); }

int jt_pg_ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

int jt_pg_has_trend(const struct jt_table *t)
{
	for (size_t c = 0; t->hc && c < t->nrows * t->ncol; c++)
		if (t->hc[c].trendlen)
			return 1;
	return 0;
}
