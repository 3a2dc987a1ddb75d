/* value.c — jvalue: the value-chain activity of each touch (streaming), and
 * the run: inputs, a file in parts (-j); --impact is value_impact.c. */
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_rules.h"
#include "jt_par.h"

#include "value_int.h"

struct jt_valuerun *jt_value_new(const struct jt_value_opts *o)
{
	if (o->group) {	/* checked before any input is read (and before anything is allocated) */
		const char *p = o->group;
		int empty = !*p;
		for (; *p; p++)
			if (*p == ',' && (p == o->group || p[1] == ',' || p[1] == '\0'))
				empty = 1;
		if (empty)
			jt_usage_error("-g: an empty column name in '%s'", o->group);
	}
	struct jt_valuerun *r = jt_xcalloc(1, sizeof *r);
	r->o = *o;
	r->all01 = 1;
	return r;
}

void jt_value_input(struct jt_valuerun *r, const char *path)
{
	r->in = jt_xrealloc(r->in, (r->nin + 1) * sizeof *r->in);
	r->in[r->nin++] = jt_xstrdup(path);
}

/* Each label's name and kind, looked up once; the last entry is --default's. */
static void labels_init(struct jt_valuerun *r)
{
	size_t n = jt_rules_nlabels(r->o.rules);
	r->lname = jt_xcalloc(n + 1, sizeof *r->lname);
	r->lkind = jt_xcalloc(n + 1, sizeof *r->lkind);
	r->lnlen = jt_xcalloc(n + 1, sizeof *r->lnlen);
	r->lklen = jt_xcalloc(n + 1, sizeof *r->lklen);
	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? jt_rules_label(r->o.rules, i) : r->o.deflabel ? r->o.deflabel : "";
		long d = i < n ? (long)i : r->o.deflabel ? jt_rules_find(r->o.rules, r->o.deflabel) : -1;
		const char *k = d >= 0 ? jt_rules_attr(r->o.rules, (size_t)d, "kind") : NULL;
		r->lname[i] = name;
		r->lkind[i] = k ? k : "";
		r->lnlen[i] = strlen(r->lname[i]);
		r->lklen[i] = strlen(r->lkind[i]);
	}
	r->nlab = n;
}

/* A part of a file on another thread (-j): the rules without their memo
 * (not shared between threads), with a memo of its own. */
static long label_part(struct jt_valuerun *r, const struct jt_record *rec, const char *src)
{
	size_t nc;
	const long *cols = jt_rules_columns(r->o.rules, &nc);
	struct jt_buf *k = &r->lkey;
	int memo = 1;
	jt_buf_reset(k);
	for (size_t c = 0; c < nc && memo; c++) {
		size_t i = (size_t)cols[c];
		uint32_t n = i < rec->n ? (uint32_t)rec->len[i] : 0;
		if (i >= rec->n || k->len + 4 + n > 256) {
			memo = 0;	/* long values (comments): no memo */
			break;
		}
		jt_buf_add(k, &n, 4);
		jt_buf_add(k, rec->f[i], n);
	}
	long e = memo ? jt_map_find(&r->lmemo, k->p ? k->p : "", k->len) : -1;
	if (e >= 0)
		return r->lmemo_lab[e];
	char err[1024];
	long lab = jt_rules_eval(r->o.rules, rec, err, sizeof err);
	if (lab == -2)
		jt_die_at(src, rec->line, "%s", err);
	if (memo && r->lmemo.n < 65536) {
		size_t at = jt_map_put(&r->lmemo, k->p ? k->p : "", k->len, 0, NULL);
		void *q = r->lmemo_lab;
		jt_xgrow(&q, &r->lmemo_cap, at + 1, sizeof *r->lmemo_lab);
		r->lmemo_lab = q;
		r->lmemo_lab[at] = lab;
	}
	return lab;
}

size_t jt_value_label(struct jt_valuerun *r, const struct jt_record *rec, const char *src)
{
	long lab = r->is_part ? label_part(r, rec, src) : jt_rules_match(r->o.rules, rec, src);
	return lab < 0 ? r->nlab : (size_t)lab;
}

/* ---- annotate -------------------------------------------------------------- */

static void annotate_header(struct jt_valuerun *r, const struct jt_header *h)
{
	r->nout = h->n;
	r->c_act = jt_col_find(h, "activity");
	if (r->c_act < 0)
		r->c_act = (long)r->nout++;
	r->c_kind = jt_col_find(h, "activity_kind");
	if (r->c_kind < 0)
		r->c_kind = (long)r->nout++;
	r->of = jt_xcalloc(r->nout, sizeof *r->of);
	r->ol = jt_xcalloc(r->nout, sizeof *r->ol);
	for (size_t i = 0; i < h->n; i++) {
		r->of[i] = h->name[i];
		r->ol[i] = h->len[i];
	}
	r->of[r->c_act] = "activity";
	r->ol[r->c_act] = 8;
	r->of[r->c_kind] = "activity_kind";
	r->ol[r->c_kind] = 13;
	jt_w_record(&r->w, r->of, r->ol, r->nout, 0);
}

static void annotate_row(struct jt_valuerun *r, const char *src, const struct jt_record *rec)
{
	size_t l = jt_value_label(r, rec, src), rn;
	const char *raw;
	if ((size_t)r->c_act == rec->n && (size_t)r->c_kind == rec->n + 1 && (raw = jt_record_raw(rec, &r->w, &rn))) {
		/* the row as it came, then its two new columns */
		const char *f[2] = { r->lname[l], r->lkind[l] };
		size_t len[2] = { r->lnlen[l], r->lklen[l] };
		jt_w_record_raw(&r->w, raw, rn, f, len, 2);
		return;
	}
	memcpy(r->of, rec->f, rec->n * sizeof *r->of);
	memcpy(r->ol, rec->len, rec->n * sizeof *r->ol);
	r->of[r->c_act] = r->lname[l];
	r->ol[r->c_act] = r->lnlen[l];
	r->of[r->c_kind] = r->lkind[l];
	r->ol[r->c_kind] = r->lklen[l];
	jt_w_record(&r->w, r->of, r->ol, r->nout, 0);
}

/* ---- the run ---------------------------------------------------------------- */

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_valuerun *r = ctx;
	if (!jt_header_first(&r->h, h, src)) {
		jt_rules_bind(r->o.rules, h, src);
		return;
	}
	jt_rejects_header(r->rj, h);
	jt_timefilter_bind(&r->tf, r->o.c, h, src);
	jt_rules_bind(r->o.rules, h, src);
	if (r->o.impact)
		jt_value_impact_header(r, h, src);
	else
		annotate_header(r, h);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_valuerun *r = ctx;
	if (jt_timefilter_keep(&r->tf, r->o.c, r->rj, src, rec) != 1)
		return;
	if (r->o.impact)
		jt_value_impact_row(r, src, rec);
	else
		annotate_row(r, src, rec);
}

/* A run for part k > 0 of a file: r's columns, labels and options, state of its own. */
static struct jt_valuerun *part_run(const struct jt_valuerun *r, uint64_t seq, uint64_t budget)
{
	struct jt_valuerun *b = jt_xcalloc_own(sizeof *b);	/* a part's, written by its thread */
	b->o = r->o;
	b->tf = r->tf;
	b->h = r->h;
	b->c_cust = r->c_cust;
	b->c_time = r->c_time;
	b->c_out = r->c_out;
	b->gcol = r->gcol;
	b->ng = r->ng;
	b->kind = r->kind;
	b->all01 = 1;
	b->seq = seq;
	b->budget = budget;
	b->lname = r->lname;
	b->lkind = r->lkind;
	b->lnlen = r->lnlen;
	b->lklen = r->lklen;
	b->nlab = r->nlab;
	b->is_part = 1;
	return b;
}

static void part_free(struct jt_valuerun *b)
{
	jt_map_free(&b->custs);
	free(b->cv);
	jt_map_free(&b->cells);
	free(b->cells_v);
	jt_map_free(&b->tmap);
	free(b->tv);
	jt_buf_free(&b->key);
	jt_map_free(&b->lmemo);
	free(b->lmemo_lab);
	jt_buf_free(&b->lkey);
	free(b);
}

/* --impact on a regular file with -j: its parts on threads, each into a run
 * of its own whose rows are numbered from (part << 40) on, merged in file
 * order. Returns 0 when the file is read as one stream instead. */
static int read_parts(struct jt_valuerun *r, const char *path, size_t jobs)
{
	struct jt_split sp;
	if (!r->o.impact || jobs < 2 || jt_split_file(path, &r->o.c->dialect, jobs, &sp) < 2)
		return 0;
	unsigned long long hlines;
	struct jt_header *h = jt_par_header(path, &r->o.c->dialect, r->rj, &sp, on_header, r, &hlines);
	if (!h)
		return 1;
	struct jt_valuerun *pr[JT_MAXJOBS];
	struct jt_par_part pp[JT_MAXJOBS];
	uint64_t seq0 = r->seq, budget = r->budget;
	memset(pp, 0, sp.n * sizeof *pp);
	r->budget = budget / sp.n;	/* shared by the parts */
	for (size_t k = 0; k < sp.n; k++) {
		pr[k] = k ? part_run(r, seq0 + ((uint64_t)k << 40), r->budget) : r;
		pp[k].ctx = pr[k];
		pp[k].rj_at = &pr[k]->rj;
	}
	jt_par_parts(path, r->o.c, r->rj, &sp, h, hlines, on_record, pp);
	r->budget = budget;
	for (size_t k = 1; k < sp.n; k++) {
		jt_value_merge(r, pr[k]);
		part_free(pr[k]);
	}
	r->seq = seq0 + ((uint64_t)sp.n << 40);
	jt_header_free(h);
	return 1;
}

int jt_value_run(struct jt_valuerun *r, FILE *out)
{
	jt_writer_init(&r->w, out);
	r->rj = jt_rejects_new(r->o.c);
	labels_init(r);
	r->budget = r->o.impact ? r->o.c->memory / 2 : 0;
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, on_header, on_record, r);
	size_t jobs = jt_jobs(r->o.c->jobs);
	for (size_t i = 0; i < r->nin; i++)
		if (!read_parts(r, r->in[i], jobs))
			jt_read(r->in[i], &r->o.c->dialect, r->rj, on_header, on_record, r);
	if (r->o.impact && r->h)
		jt_value_write_impact(r);
	jt_writer_flush(&r->w);
	jt_out_flush(out);
	return jt_rejects_finish(r->rj, -1);
}

void jt_value_free(struct jt_valuerun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i]);
	free(r->in);
	jt_rejects_free(r->rj);
	jt_header_free(r->h);
	free(r->of);
	free(r->ol);
	for (size_t g = 0; g < r->ng; g++)
		free(r->gname[g]);
	free(r->gname);
	free(r->gcol);
	jt_map_free(&r->custs);
	free(r->cv);
	jt_map_free(&r->cells);
	free(r->cells_v);
	jt_map_free(&r->tmap);
	free(r->tv);
	jt_value_vspill_free(r);
	jt_buf_free(&r->key);
	free(r->lname);
	free(r->lkind);
	free(r->lnlen);
	free(r->lklen);
	free(r);
}
