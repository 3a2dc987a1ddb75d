/* stage_read.c — jstage's reading: the touch stream on every core (a
 * regular file in parts, a pipe in chunks), each touch kept in a thread
 * slot (struct part) with its row and customer, past --memory spilled;
 * after the read, the slots' ids made the run's (stage_int.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_opt.h"
#include "jt_rules.h"
#include "jt_rx.h"
#include "stage_int.h"

uint64_t jt_stage_input_bytes(const struct jt_stagerun *r)
{
	uint64_t n = 0;
	for (size_t i = 0; i < r->nin; i++) {
		struct stat st;
		if (strcmp(r->in[i], "-") == 0 || stat(r->in[i], &st) != 0 || !S_ISREG(st.st_mode))
			return 0;	/* a pipe: unknown */
		n += (uint64_t)st.st_size;
	}
	return n;
}

static uint64_t held_most(const struct jt_stagerun *r);

static struct part *part_new(struct jt_stagerun *r, size_t k)
{
	struct part *p = jt_xcalloc_own(sizeof *p);	/* written by its slot's thread */
	p->r = r;
	p->k = k;
	p->rj = r->rj;	/* a deferred one while a file is read in parts */
	p->ct = k == 0 ? &r->cust : &p->cust;
	p->kt = k == 0 ? &r->keys : &p->keys;
	p->gt = k == 0 ? &r->grps : &p->grps;
	p->maxt = INT64_MIN;
	if (r->noc)
		p->flag = jt_xcalloc(r->noc, sizeof *p->flag);
	jt_ts_init(&p->ts, r->h->n, r->c_cust, r->c_time);
	/* row blocks small enough that a slot's share of --memory holds many */
	uint64_t share = r->budget / 2 / r->jobs / 16;
	p->ts.blksize = share < (64 << 10) ? 64 << 10 : share > (2 << 20) ? 2 << 20 : (size_t)share;
	/* the dictionaries stay to the end (spilled rows hold their ids): an
	 * eighth of the budget, past which a column's new values are kept raw */
	p->ts.dictmax = r->budget / 8 / r->jobs;
	/* long distinct values (URLs, comments) wait in a file for their
	 * customers' turn (stage_cold.c) */
	if (r->need_row && !r->o.sorted && r->cold_ok)
		jt_ts_cold(&p->ts);
	return p;
}

static void memo_free(struct memo *m)
{
	free(m->val);
	free(m->known);
}

void jt_stage_part_free(struct part *p)
{
	if (!p)
		return;
	jt_ts_free(&p->ts);
	jt_itab_free(&p->cust);
	jt_itab_free(&p->keys);
	jt_itab_free(&p->grps);
	free(p->cnt);
	free(p->cb);
	jt_xbig_free(p->tv, p->tcap * sizeof *p->tv);
	free(p->seg);
	memo_free(&p->lab);
	memo_free(&p->key);
	memo_free(&p->grp);
	memo_free(&p->step);
	memo_free(&p->ret);
	for (size_t k = 0; p->flag && k < p->r->noc; k++)
		memo_free(&p->flag[k]);
	free(p->flag);
	free(p->rank);
	free(p->kmap);
	free(p->gmap);
	free(p);
}

/* ---- reading --------------------------------------------------------------------- */

static void mark_segments(struct jt_stagerun *r, size_t f);

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_stagerun *r = ctx;
	if (!jt_header_first(&r->h, h, src)) {
		jt_rules_bind(r->o.rules, h, src);
		return;
	}
	jt_rejects_header(r->rj, h);
	jt_timefilter_bind(&r->tf, r->o.c, h, src);
	r->c_cust = (long)jt_col_by_name(h, "customer", src);
	r->c_time = (long)jt_col_by_name(h, "time", src);
	r->c_tp = jt_col_find(h, "touchpoint");
	if (r->need_tp && r->c_tp < 0)
		r->c_tp = (long)jt_col_by_name(h, "touchpoint", src);	/* dies, listing the columns */
	r->c_grp = r->o.group && r->o.mode == JT_SM_FUNNEL ? (long)jt_col_by_name(h, r->o.group, src) : -1;
	for (size_t k = 0; k < r->nstep; k++)
		if (r->steps[k].colname)
			r->steps[k].col = (long)jt_col_by_name(h, r->steps[k].colname, src);
	for (size_t k = 0; k < r->noc; k++) {
		r->oc[k].idx = jt_col_find(h, r->oc[k].col);
		if (r->oc[k].idx < 0)
			jt_warn("--outcome %s: %s has no column '%s': it is always %s", r->oc[k].name, src, r->oc[k].col,
				r->oc[k].kind == OUT_NEXT ? "empty" : "0");
	}
	jt_rules_bind(r->o.rules, h, src);
	if (r->o.mode == JT_SM_ANNOTATE)
		jt_annotate_header(r);
	if (r->o.mode >= JT_SM_CUSTOMERS) {
		r->c_amount = jt_col_find(h, "amount");
		r->c_nps = jt_col_find(h, "nps");
		r->c_csat = jt_col_find(h, "csat");
		r->gcol = jt_xcalloc(r->ng + 1, sizeof *r->gcol);
		for (size_t g = 0; g < r->ng; g++)
			r->gcol[g] = (long)jt_col_by_name(h, r->gname[g], src);
	}
	jt_vctx_init(&r->main, r->out, r->o.mode == JT_SM_ANNOTATE ? r->nout : 16 + r->ng);
	/* long distinct values wait in files (jt_ts_cold) when the input is
	 * files of more than a quarter of --memory (below, holding them costs
	 * nothing and is faster) and at most what the slots may hold (above, the
	 * run spills: the spill would read each value back) */
	uint64_t in = jt_stage_input_bytes(r);
	r->cold_ok = in > r->budget / 4 && in <= held_most(r);
	for (size_t k = 0; k < r->jobs; k++)
		r->parts[k] = part_new(r, k);
	r->nparts = r->jobs;
	if (r->seg_pending)
		mark_segments(r, r->seg_pending - 1);
}

/* The id of a column's value for memos: the store's dictionary id, or NOKEY. */
static uint32_t value_id(struct part *p, long col, const struct jt_record *rec)
{
	if (col < 0)
		return NOKEY;
	if (p->r->need_row)
		return jt_ts_last_id(&p->ts, (size_t)col);
	return jt_ts_intern(&p->ts, (size_t)col, rec->f[col], rec->len[col]);
}

static int memo_get(const struct memo *m, uint32_t id, uint64_t *v)
{
	if (id == NOKEY || id >= m->cap || !m->known[id])
		return 0;
	*v = m->val[id];
	return 1;
}

static void memo_put(struct memo *m, uint32_t id, uint64_t v)
{
	if (id == NOKEY)
		return;
	if (id >= m->cap) {
		size_t cap = m->cap ? m->cap : 64;
		while (cap <= id)
			cap *= 2;
		m->val = jt_xrealloc(m->val, cap * sizeof *m->val);
		m->known = jt_xrealloc(m->known, cap);
		memset(m->known + m->cap, 0, cap - m->cap);
		m->cap = cap;
	}
	m->val[id] = v;
	m->known[id] = 1;
}

/* rx on field col; a failing pattern stops the run: pre, name and post say
 * which pattern. */
static int match(struct jt_rx *rx, const struct jt_record *rec, long col, const char *src, const char *pre,
		 const char *name, const char *post)
{
	char err[256];
	if (col < 0)
		return 0;
	int m = jt_rx_match(rx, rec->f[col], rec->len[col], err, sizeof err);
	if (m < 0)
		jt_die_at(src, rec->line, "%s%s%s: %s", pre, name, post, err);
	return m;
}

static long label_of(struct part *p, const struct jt_record *rec, const char *src)
{
	struct jt_stagerun *r = p->r;
	size_t nc;
	const long *cols = jt_rules_columns(r->o.rules, &nc);
	uint32_t id = nc == 1 ? value_id(p, cols[0], rec) : NOKEY;
	uint64_t v;
	if (memo_get(&p->lab, id, &v))
		return (long)v - 1;
	char err[1024];
	long lab = jt_rules_eval(r->o.rules, rec, err, sizeof err);
	if (lab == -2)
		jt_die_at(src, rec->line, "%s", err);
	if (lab < 0)
		lab = r->deflab;
	memo_put(&p->lab, id, (uint64_t)(lab + 1));
	return lab;
}

/* Touches per customer. */
static void ccount_add(struct part *p, uint32_t c)
{
	if (c >= p->ccap) {
		size_t old = p->ccap, cap = old ? old : 1024;
		while (cap <= c)
			cap *= 2;
		p->cnt = jt_xrealloc(p->cnt, cap * sizeof *p->cnt);
		memset(p->cnt + old, 0, (cap - old) * sizeof *p->cnt);
		if (p->ts.cold) {
			p->cb = jt_xrealloc(p->cb, cap * sizeof *p->cb);
			memset(p->cb + old, 0, (cap - old) * sizeof *p->cb);
		}
		p->ccap = cap;
	}
	p->cnt[c]++;
}

uint64_t jt_stage_slot_bytes(const struct part *p)
{
	return p->ts.rowbytes + p->nt * sizeof *p->tv + p->ct->bytes + p->ccap * sizeof *p->cnt +
	       (p->cb ? p->ccap * sizeof *p->cb : 0);
}

/* What the slots may hold: the budget less an eighth for the rounds' output,
 * the threads' scratch and a stream's chunks. */
static uint64_t held_most(const struct jt_stagerun *r)
{
	return r->budget - r->budget / 8;
}

/* What a slot holds, with what an in-memory run takes for it after the read
 * (an index entry a touch; order, ranks, counts and maps, 40 bytes a
 * customer) and its dictionaries. */
static uint64_t held_bytes(const struct part *p)
{
	return jt_stage_slot_bytes(p) + p->ts.dictbytes + p->nt * sizeof(uint32_t) + (uint64_t)p->ct->n * 40;
}

/* The slots tell r->held what they hold in steps of 1 MiB (a sixteenth of a
 * small budget), and a slot that finds the sum past held_most spills: the
 * slots share the budget as the input falls, not half each. */
static int past_budget(struct part *p)
{
	struct jt_stagerun *r = p->r;
	uint64_t b = held_bytes(p), step = r->budget / 16 < (1 << 20) ? r->budget / 16 : 1 << 20;
	if (b >= p->told + step || b < p->told) {
		__atomic_add_fetch(&r->held, b - p->told, __ATOMIC_RELAXED);	/* modulo 2^64: a drop too */
		p->told = b;
	}
	return __atomic_load_n(&r->held, __ATOMIC_RELAXED) - p->told + b > held_most(r);
}

static int is_canonical(const char *s, size_t n, int64_t t)
{
	char buf[32];
	return n == 20 && s[10] == 'T' && s[19] == 'Z' && memcmp(jt_time_format(t, buf), s, 20) == 0;
}

static void part_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct part *p = ctx;
	struct jt_stagerun *r = p->r;
	int64_t t;
	if (jt_timefilter_keep(&r->tf, r->o.c, p->rj, src, rec) != 1)
		return;
	const char *cs = rec->f[r->c_cust], *ts = rec->f[r->c_time];
	size_t cn = rec->len[r->c_cust], tn = rec->len[r->c_time];
	if (cn == 0) {
		jt_reject(p->rj, src, rec, "missing customer", "column 'customer': empty customer id");
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		jt_reject(p->rj, src, rec, "bad time", "column 'time': '%s' is not a time", jt_show(ts, tn));
		return;
	}
	if (r->o.mode >= JT_SM_CUSTOMERS) {
		jt_i128 amt;
		int rc;
		if (r->c_amount >= 0 && rec->len[r->c_amount] &&
		    (rc = jt_dec_parse(rec->f[r->c_amount], rec->len[r->c_amount], &amt)) != JT_NUM_OK) {
			jt_reject_number(p->rj, src, rec, "amount", NULL, rec->f[r->c_amount], rec->len[r->c_amount], rc,
					 NULL);
			return;
		}
		/* the customer table reports the last NPS and CSAT: they are read, so checked */
		static const struct { const char *name, *range; int lo, hi; } score[2] = {
			{ "nps", "in 0-10", 0, 10 }, { "csat", "in 1-5", 1, 5 } };
		long scol[2] = { r->c_nps, r->c_csat };
		for (int k = 0; k < 2 && r->o.mode == JT_SM_CUSTOMERS; k++) {
			int v;
			if (scol[k] < 0 || rec->len[scol[k]] == 0 ||
			    (rc = jt_score_parse(rec->f[scol[k]], rec->len[scol[k]], score[k].lo, score[k].hi, &v)) == JT_NUM_OK)
				continue;
			jt_reject_number(p->rj, src, rec, score[k].name, score[k].name, rec->f[scol[k]], rec->len[scol[k]],
					 rc, score[k].range);
			return;
		}
	}
	int isnew;
	uint32_t cust = jt_itab_put(p->ct, cs, cn, &isnew);
	if (r->o.sorted && (!r->have_cur || cust != r->curcust)) {
		if (r->have_cur) {	/* streaming: one customer in memory at a time */
			struct tch *tmp = jt_xmalloc(p->nt * sizeof *tmp);
			jt_stage_customer_done(r, &r->main, p->tv, p->nt, tmp);
			free(tmp);
			p->nt = 0;
			jt_ts_drop_rows(&p->ts);
			jt_itab_put(&r->done, &r->curcust, sizeof r->curcust, NULL);
		}
		if (jt_itab_find(&r->done, &cust, sizeof cust) != NOKEY)
			jt_die_at(src, rec->line, "customer '%s' appears again after other customers: the input is not "
				  "grouped by customer (drop --sorted)", jt_show(cs, cn));
		r->curcust = cust;
		r->have_cur = 1;
	}
	if (p->nt >= UINT32_MAX)
		jt_die_at(src, rec->line, "more than %lu touches held at once, the most jstage keeps (--sorted holds one "
			  "customer at a time)", (unsigned long)UINT32_MAX);
	if (p->nt == p->tcap) {
		/* doubling, but never past the slot's share of --memory: a full
		 * array spills rather than grows */
		size_t cap = p->tcap ? p->tcap * 2 : 4096, most = (size_t)(held_most(r) / sizeof *p->tv);
		if (!r->o.sorted && cap > most)
			cap = most > p->nt ? most : p->nt + 1;
		/* in huge pages past 1 MiB: fewer faults than realloc's 4 KiB
		 * pages; moved, not copied, past that: never old and new at once */
		p->tv = p->tv ? jt_xbig_grow(p->tv, p->tcap * sizeof *p->tv, cap * sizeof *p->tv)
			      : jt_xbig_dirty(cap * sizeof *p->tv);
		p->tcap = cap;
	}
	struct tch *x = &p->tv[p->nt++];
	x->t = t;
	x->cust = cust;
	x->part = (uint8_t)p->k;
	x->pad = 0;
	x->mask = 0;
	x->u.row = NULL;
	uint64_t cold = jt_ts_cold_bytes(&p->ts);
	if (r->need_row)
		x->u.row = jt_ts_put(&p->ts, rec, is_canonical(ts, tn, t));
	cold = jt_ts_cold_bytes(&p->ts) - cold;
	long lab = label_of(p, rec, src);
	x->label = lab < 0 ? NOLABEL : (uint16_t)lab;
	if (t > p->maxt)
		p->maxt = t;
	if (!r->o.sorted)
		ccount_add(p, cust);
	if (cold)
		p->cb[cust] += (uint32_t)cold;	/* a slot's cold file holds at most 4 GiB */
	if (r->o.mode == JT_SM_ANNOTATE) {
		for (size_t k = 0; k < r->noc; k++) {
			const struct outcome *o = &r->oc[k];
			if (o->idx < 0)
				continue;
			if (o->kind == OUT_NEXT) {	/* bit k: this touch has a value for next:COL */
				if (rec->len[o->idx])
					x->mask |= (uint64_t)1 << k;
				continue;
			}
			uint32_t id = value_id(p, o->idx, rec);
			uint64_t m;
			if (!memo_get(&p->flag[k], id, &m)) {
				m = (uint64_t)match(o->rx, rec, o->idx, src, "--outcome ", o->name, "");
				memo_put(&p->flag[k], id, m);
			}
			if (m)
				x->mask |= (uint64_t)1 << k;
		}
	} else if (r->o.mode == JT_SM_PATHS || r->o.mode == JT_SM_VARIANTS) {
		uint64_t kv;
		if (r->o.by_touchpoint) {
			uint32_t id = value_id(p, r->c_tp, rec);
			if (!memo_get(&p->key, id, &kv)) {
				kv = jt_itab_put(p->kt, rec->f[r->c_tp], rec->len[r->c_tp], NULL);
				memo_put(&p->key, id, kv);
			}
		} else if (!memo_get(&p->key, x->label, &kv)) {
			const char *l = lab < 0 ? "(none)" : jt_stage_label(r, (size_t)lab);
			kv = jt_itab_put(p->kt, l, strlen(l), NULL);
			memo_put(&p->key, x->label, kv);
		}
		x->u.k.key = (uint32_t)kv;
	} else if (r->o.mode == JT_SM_FUNNEL) {
		if (r->c_grp >= 0) {
			uint32_t id = value_id(p, r->c_grp, rec);
			uint64_t g;
			if (!memo_get(&p->grp, id, &g)) {
				g = jt_itab_put(p->gt, rec->f[r->c_grp], rec->len[r->c_grp], NULL);
				memo_put(&p->grp, id, g);
			}
			x->u.k.grp = (uint32_t)g;
		}
		/* the pattern steps on the touchpoint, memoized; stage steps by label */
		uint64_t pm = 0;
		uint32_t id = value_id(p, r->c_tp, rec);
		if (!memo_get(&p->step, id, &pm)) {
			pm = 0;
			for (size_t k = 0; k < r->nstep; k++) {
				const struct step *s = &r->steps[k];
				if (s->rx && !s->colname && match(s->rx, rec, r->c_tp, src, "--funnel step '", s->name, "'"))
					pm |= (uint64_t)1 << k;
			}
			memo_put(&p->step, id, pm);
		}
		for (size_t k = 0; k < r->nstep; k++) {
			const struct step *s = &r->steps[k];
			if (s->colname) {
				if (match(s->rx, rec, s->col, src, "--funnel step '", s->name, "'"))
					pm |= (uint64_t)1 << k;
			} else if (!s->rx && lab == s->label) {
				pm |= (uint64_t)1 << k;
			}
		}
		x->mask = pm;
	} else if (r->o.mode == JT_SM_COHORTS) {
		uint64_t m = 1;
		if (r->ret) {
			uint32_t id = value_id(p, r->c_tp, rec);
			if (!memo_get(&p->ret, id, &m)) {
				m = (uint64_t)match(r->ret, rec, r->c_tp, src, "--returning", "", "");
				memo_put(&p->ret, id, m);
			}
		}
		x->mask = m;
	}
	if (!r->o.sorted && past_budget(p))
		jt_stage_spill(p);
}

/* ---- reading the inputs ------------------------------------------------------------- */

static void whole_header(void *ctx, const char *src, const struct jt_header *h)
{
	on_header(ctx, src, h);
}

static void whole_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_stagerun *r = ctx;
	part_record(r->parts[0], src, rec);
}

/* Slot p's segments up to f start here: its touches so far are before them. */
static void part_mark(struct part *p, size_t f)
{
	if (f + 2 > p->segcap) {
		p->segcap = (f + 2) * 2;
		p->seg = jt_xrealloc(p->seg, p->segcap * sizeof *p->seg);
	}
	for (; p->nseg <= f; p->nseg++)
		p->seg[p->nseg] = p->base + p->nt;
}

static void mark_segments(struct jt_stagerun *r, size_t f)
{
	for (size_t k = 0; k < r->nparts; k++)
		part_mark(r->parts[k], f);
	r->nseg = f + 1;
}

/* Segment f begins: now, or at the first header, which makes the parts. */
static void begin_segment(struct jt_stagerun *r, size_t f)
{
	if (r->h)
		mark_segments(r, f);
	else
		r->seg_pending = f + 1;
}

static void stream_slots(void *ctx, struct jt_par_stream *ps)
{
	struct jt_stagerun *r = ctx;
	for (size_t k = 0; k < r->nparts; k++) {
		ps->slot_ctx[k] = r->parts[k];
		ps->rj_at[k] = &r->parts[k]->rj;
	}
}

/* On a slot's thread, before the records of a stream's chunk i. */
static void stream_begin(void *ctx, size_t i)
{
	struct part *p = ctx;
	part_mark(p, p->r->seg0 + i);
}

/* stdin or a named pipe, on the threads chunk by chunk (jt_par_stream):
 * each chunk is a segment of the input order */
static void read_pipe(struct jt_stagerun *r, const char *path, size_t f)
{
	FILE *fp = stdin;
	const char *src = "<stdin>";
	if (path && strcmp(path, "-") != 0) {
		if (!(fp = fopen(path, "rb")))
			jt_die("%s:", path);
		src = path;
	}
	begin_segment(r, f);
	r->seg0 = f;
	struct jt_par_stream ps;
	memset(&ps, 0, sizeof ps);
	ps.n = r->jobs;
	ps.chunk = jt_par_chunk(r->budget, r->jobs);
	ps.hf = whole_header;
	ps.hctx = r;
	ps.rf = part_record;
	ps.slots = stream_slots;
	ps.begin = stream_begin;
	size_t n = jt_par_stream(fp, src, r->o.c, r->rj, &ps);
	if (fp != stdin)
		fclose(fp);
	if (r->h)
		mark_segments(r, f + (n ? n : 1) - 1);
}

static int is_stream(const char *path)
{
	struct stat st;
	return !path || strcmp(path, "-") == 0 || (stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
}

static void read_file(struct jt_stagerun *r, const char *path)
{
	struct jt_split sp;
	size_t f = r->nseg;
	if (r->jobs > 1 && !r->o.sorted && is_stream(path)) {
		read_pipe(r, path, f);
		return;
	}
	size_t n = r->jobs > 1 && path && !r->o.sorted ? jt_split_file(path, &r->o.c->dialect, r->jobs, &sp) : 1;
	if (n <= 1) {
		begin_segment(r, f);
		jt_read(path, &r->o.c->dialect, r->rj, whole_header, whole_record, r);
		return;
	}
	unsigned long long hlines;
	jt_header_free(jt_par_header(path, &r->o.c->dialect, r->rj, &sp, whole_header, r, &hlines));
	if (!r->h)
		return;
	mark_segments(r, f);
	struct jt_par_part pp[JT_MAXJOBS];
	memset(pp, 0, n * sizeof *pp);
	for (size_t k = 0; k < n; k++) {
		pp[k].ctx = r->parts[k];
		pp[k].rj_at = &r->parts[k]->rj;
	}
	jt_par_parts(path, r->o.c, r->rj, &sp, r->h, hlines, part_record, pp);
}

/* ---- after the read: one set of ids ------------------------------------------------- */

static uint32_t *remap(struct jt_itab *into, const struct jt_itab *from)
{
	uint32_t *m = jt_xmalloc(((size_t)from->n + 1) * sizeof *m);
	for (uint32_t i = 0; i < from->n; i++) {
		size_t len;
		const char *k = jt_itab_key(from, i, &len);
		m[i] = jt_itab_put(into, k, len, NULL);
	}
	return m;
}

void jt_stage_merge_slots(struct jt_stagerun *r)
{
	size_t nf = r->nseg;
	for (size_t k = 0; k < r->nparts; k++) {
		struct part *p = r->parts[k];
		part_mark(p, nf - 1);
		p->seg[nf] = p->base + p->nt;	/* the end (part_mark left room) */
		if (p->maxt > r->maxt)
			r->maxt = p->maxt;
		if (k == 0)
			continue;
		p->kmap = remap(&r->keys, &p->keys);
		p->gmap = remap(&r->grps, &p->grps);
	}
}

void jt_stage_read(struct jt_stagerun *r)
{
	if (r->nin == 0)
		read_file(r, NULL);
	for (size_t i = 0; i < r->nin; i++)
		read_file(r, r->in[i]);
}
