/* history.c — jkpi --history DIR (jkpi(1), "History").
 *
 * Each run keeps its state as DIR/STAMP.state, written as a side output
 * (a temporary file renamed in place once the result is), and removes the
 * oldest past --keep afterwards. Stamps sort as text: the default, the day
 * of the latest time read (YYYY-MM-DD, UTC), sorts by time. The states
 * before this run's are read as --baseline reads one, so a state of other
 * groups, KPIs or options stops the run naming the difference. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_baseline.h"
#include "jt_err.h"
#include "jt_history.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_out.h"
#include "jt_time.h"

struct jt_history {
	struct jt_history_opts o;
	char stamp[80];
	char **names;	/* the states in DIR, sorted (this run's included once saved) */
	size_t nnames;
	size_t np;	/* periods: earlier states, then this run */
	struct jt_side **side;
	struct jt_cmp **cmp;	/* cmp[i]: period i + 1 against period i */
	char first_stamp[80];
	struct jt_buf note;
	char **svg;	/* the lines made, freed with h */
	size_t nsvg, svgcap;
};

static int stamp_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

void jt_history_check(const struct jt_history_opts *o)
{
	if (o->stamp && !stamp_ok(o->stamp, strlen(o->stamp)))
		jt_usage_error("--stamp: '%s' is not a stamp (letters, digits, '.', '_' and '-', up to 64, as 2024-06-30)",
			       jt_show(o->stamp, strlen(o->stamp)));
	struct stat st;
	if (stat(o->dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			jt_usage_error("--history: '%s' is not a folder", jt_show(o->dir, strlen(o->dir)));
		return;
	}
	if (mkdir(o->dir, 0777) != 0)
		jt_die("--history: cannot make the folder '%s':", jt_show(o->dir, strlen(o->dir)));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stamps of DIR's states, sorted. */
static void list_states(struct jt_history *h)
{
	DIR *d = opendir(h->o.dir);
	if (!d)
		jt_die("--history: cannot read the folder '%s':", jt_show(h->o.dir, strlen(h->o.dir)));
	struct dirent *e;
	size_t cap = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n <= 6 || strcmp(e->d_name + n - 6, ".state") != 0 || !stamp_ok(e->d_name, n - 6))
			continue;
		void *p = h->names;
		jt_xgrow(&p, &cap, h->nnames + 1, sizeof *h->names);
		h->names = p;
		h->names[h->nnames++] = jt_xmemdup(e->d_name, n - 6);
	}
	closedir(d);
	if (h->nnames)
		qsort(h->names, h->nnames, sizeof *h->names, cmp_str);
}

static char *state_path(const struct jt_history *h, const char *stamp)
{
	struct jt_buf b = JT_BUF_INIT;
	jt_buf_printf(&b, "%s/%s.state", h->o.dir, stamp);
	return b.p;
}

struct jt_history *jt_history_load(const struct jt_history_opts *o, struct jt_agg *cur, int64_t last,
				   const struct jt_cmp_opts *co)
{
	struct jt_history *h = jt_xcalloc(1, sizeof *h);
	h->o = *o;
	if (o->stamp) {
		snprintf(h->stamp, sizeof h->stamp, "%s", o->stamp);
	} else {
		char b[32];
		if (last < 0)
			jt_die("--history: no 'time' was read to name this run's state: give --stamp");
		jt_time_format(last, b);
		snprintf(h->stamp, sizeof h->stamp, "%.10s", b);
	}
	list_states(h);
	size_t before = 0;
	while (before < h->nnames && strcmp(h->names[before], h->stamp) < 0)
		before++;
	/* the last keep - 1 earlier states, and the latest one at least (--alert, and
	 * a state of other KPIs is found however small --keep is) */
	size_t want = h->o.keep > 1 ? h->o.keep - 1 : 1;
	size_t first = want < before ? before - want : 0;
	h->np = before - first + 1;
	snprintf(h->first_stamp, sizeof h->first_stamp, "%s", first < before ? h->names[first] : h->stamp);
	h->side = jt_xcalloc(h->np, sizeof *h->side);
	h->cmp = jt_xcalloc(h->np, sizeof *h->cmp);
	for (size_t i = first; i < before; i++) {
		char *path = state_path(h, h->names[i]);
		h->side[i - first] = jt_side_load(path, cur, "the kept state");
		free(path);
	}
	h->side[h->np - 1] = jt_side_from_agg(cur);
	for (size_t i = 1; i < h->np; i++)
		h->cmp[i - 1] = jt_cmp_new(cur, h->side[i - 1], h->side[i], co);
	return h;
}

const char *jt_history_note(struct jt_history *h, double level)
{
	if (h->np < 2)
		return NULL;
	jt_buf_reset(&h->note);
	jt_buf_printf(&h->note,
		      "Under each figure, its line over the %zu periods kept (%s to %s), from the cell's lowest to its "
		      "highest; a dot marks a change from the period before that stays significant once corrected for the "
		      "number of cells compared (Holm, family-wise %g %%).",
		      h->np, h->first_stamp, h->stamp, level * 100);
	return h->note.p;
}

const struct jt_side *jt_history_prev(const struct jt_history *h)
{
	return h->np > 1 ? h->side[h->np - 2] : NULL;
}

void jt_history_save(struct jt_history *h, struct jt_agg *cur)
{
	char *path = state_path(h, h->stamp);
	FILE *fp = jt_out_open_side(path, 0);
	jt_agg_write_state(cur, fp);
	jt_out_commit_side(fp);
	free(path);
}

/* The line: x across the periods, y between the cell's own lowest and
 * highest figure (higher up); a dot on each significant change. */
const char *jt_history_trend(void *ctx, const char *key, size_t klen, size_t ki)
{
	struct jt_history *h = ctx;
	enum { W = 48, H = 14 };
	size_t have = 0, marks = 0;
	double lo = 0, hi = 0, *v = jt_xmalloc(h->np * sizeof *v);
	for (size_t i = 0; i < h->np; i++) {
		if (!jt_side_value(h->side[i], key, klen, ki, &v[i])) {
			v[i] = NAN;
			continue;
		}
		if (!have || v[i] < lo)
			lo = v[i];
		if (!have || v[i] > hi)
			hi = v[i];
		have++;
	}
	if (have < 2) {
		free(v);
		return NULL;
	}
	struct jt_buf b0 = JT_BUF_INIT, *b = &b0, pts = JT_BUF_INIT, dots = JT_BUF_INIT;
	for (size_t i = 0; i < h->np; i++) {
		if (isnan(v[i]))
			continue;
		double x = 2 + (double)(W - 4) * (double)i / (double)(h->np - 1);
		double y = hi > lo ? 2 + (double)(H - 4) * (hi - v[i]) / (hi - lo) : H / 2.0;
		jt_buf_printf(&pts, "%s%.1f,%.1f", pts.len ? " " : "", x, y);
		if (i && jt_cmp_alerted(h->cmp[i - 1], key, klen, ki) == 1) {
			jt_buf_printf(&dots, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/>", x, y);
			marks++;
		}
	}
	jt_buf_printf(b,
		      "<svg class=\"tr\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		      "aria-label=\"trend over %zu periods, %zu significant change%s\">"
		      "<polyline points=\"%s\"/>%s</svg>",
		      W, H, W, H, have, marks, marks == 1 ? "" : "s", pts.p, dots.p ? dots.p : "");
	jt_buf_free(&pts);
	jt_buf_free(&dots);
	free(v);
	void *p = h->svg;
	jt_xgrow(&p, &h->svgcap, h->nsvg + 1, sizeof *h->svg);
	h->svg = p;
	h->svg[h->nsvg++] = b->p;
	return b->p;
}

void jt_history_prune(struct jt_history *h)
{
	int saved = 0;
	for (size_t i = 0; i < h->nnames; i++)
		saved |= strcmp(h->names[i], h->stamp) == 0;
	size_t n = h->nnames + !saved;	/* this run's is there now */
	for (size_t i = 0; n > h->o.keep && i < h->nnames; i++) {
		if (strcmp(h->names[i], h->stamp) == 0)
			continue;
		char *path = state_path(h, h->names[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			jt_warn("--history: cannot remove '%s': %s", jt_show(path, strlen(path)), strerror(errno));
		free(path);
		n--;
	}
}

void jt_history_free(struct jt_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nnames; i++)
		free(h->names[i]);
	free(h->names);
	for (size_t i = 0; i < h->np; i++) {
		jt_side_free(h->side[i]);
		jt_cmp_free(h->cmp[i]);
	}
	free(h->side);
	free(h->cmp);
	for (size_t i = 0; i < h->nsvg; i++)
		free(h->svg[i]);
	free(h->svg);
	jt_buf_free(&h->note);
	free(h);
}
