/* stage_order.c — jstage in memory: the customers in id order, on the threads.
 *
 * After a read that held everything, each slot has its own customer table.
 * Each slot's ids are sorted on a thread of their own (jt_itab_order: 8
 * bytes at a time, the keys read in the order they are stored), then one
 * pass merges the sorted slots: a customer's rank is its place in the run's
 * id order, each slot learns its customers' ranks, and the run keeps a key
 * and a touch count a rank. No table of every customer is built. Then the
 * touches are indexed by rank, in input order within a customer, by a
 * counting sort of which each thread fills the ranks of its own share of
 * the touches. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "stage_int.h"

void jt_stage_order(const struct jt_itab *t, uint32_t *ord, uint32_t *rank)
{
	jt_i128 *v = jt_xmalloc(((size_t)t->n + 1) * sizeof *v);
	jt_itab_order(t, v);
	for (uint32_t i = 0; i < t->n; i++) {
		ord[i] = (uint32_t)v[i];
		rank[ord[i]] = i;
	}
	free(v);
}

_Static_assert(JT_MAXJOBS <= 64, "the slots that hold an id are bits of a uint64_t");

struct ranking {
	struct jt_stagerun *r;
	jt_i128 *v[JT_MAXJOBS];	/* each slot's customers in id order */
	uint32_t *off[JT_MAXJOBS];	/* one input segment: where each slot's touches of a
				 * customer start among the customer's */
	struct proc *pc;
	size_t lo[JT_MAXJOBS + 1];	/* the ranks each thread indexes */
};

static void sort_slot(void *arg, size_t k)
{
	struct ranking *g = arg;
	const struct jt_itab *t = g->r->parts[k]->ct;
	g->v[k] = jt_xmalloc(((size_t)t->n + 1) * sizeof *g->v[k]);
	jt_itab_order(t, g->v[k]);
}

static uint32_t slot_count(const struct part *p, uint32_t c)
{
	return c < p->ccap ? p->cnt[c] : 0;
}

/* The slots' sorted customers merged: p->rank, r->ckey, r->ccount. */
static size_t merge_ranks(struct ranking *g)
{
	struct jt_stagerun *r = g->r;
	size_t K = r->nparts, at[JT_MAXJOBS], n[JT_MAXJOBS], most = 0;
	for (size_t k = 0; k < K; k++) {
		struct part *p = r->parts[k];
		at[k] = 0;
		n[k] = p->ct->n;
		most += n[k];
		p->rank = jt_xmalloc((n[k] + 1) * sizeof *p->rank);
		if (r->nseg == 1)
			g->off[k] = jt_xmalloc((n[k] + 1) * sizeof *g->off[k]);
	}
	r->ckey = jt_xmalloc((most + 1) * sizeof *r->ckey);
	r->ccount = jt_xcalloc(most + 1, sizeof *r->ccount);
	r->ccap = most + 1;
	size_t rank = 0;
	for (;;) {
		size_t m = K;	/* the first slot with the least id at hand */
		uint64_t least = 0;	/* the slots that hold it */
		for (size_t k = 0; k < K; k++) {
			if (at[k] == n[k])
				continue;
			int c = m == K ? -1 : jt_itab_order_cmp(r->parts[k]->ct, g->v[k][at[k]], r->parts[m]->ct, g->v[m][at[m]]);
			if (c < 0)
				m = k, least = 0;
			if (c <= 0)
				least |= (uint64_t)1 << k;
		}
		if (m == K)
			break;
		r->ckey[rank] = r->parts[m]->ct->key[(uint32_t)g->v[m][at[m]]];
		for (size_t k = m; k < K; k++) {
			if (!(least >> k & 1))
				continue;
			struct part *p = r->parts[k];
			uint32_t c = (uint32_t)g->v[k][at[k]++];
			p->rank[c] = (uint32_t)rank;
			if (g->off[k])
				g->off[k][c] = r->ccount[rank];	/* the slots before hold the touches before */
			r->ccount[rank] += slot_count(p, c);
		}
		rank++;
	}
	for (size_t k = 0; k < K; k++) {
		free(g->v[k]);
		g->v[k] = NULL;
	}
	return rank;
}

/* Thread j: the touches of ranks [lo[j], lo[j + 1]) to their places, in
 * input order (files, then slots). */
static void fill_ranks(void *arg, size_t j)
{
	struct ranking *g = arg;
	const struct jt_stagerun *r = g->r;
	struct proc *pc = g->pc;
	size_t lo = g->lo[j], hi = g->lo[j + 1];
	if (lo == hi)
		return;
	uint64_t *fill = jt_xmalloc((hi - lo) * sizeof *fill);
	memcpy(fill, pc->start + lo, (hi - lo) * sizeof *fill);
	for (size_t f = 0; f < r->nseg; f++)
		for (size_t k = 0; k < r->nparts; k++) {
			const struct part *p = r->parts[k];
			const uint32_t *rank = p->rank;
			for (uint64_t i = p->seg[f]; i < p->seg[f + 1]; i++) {
				size_t c = rank[p->tv[i].cust] - lo;
				if (c < hi - lo)
					pc->idx[fill[c]++] = (uint32_t)(pc->slotbase[k] + i);
			}
		}
	free(fill);
}

/* One input segment: slot k's touches to their places, on thread k. */
static void fill_slot(void *arg, size_t k)
{
	struct ranking *g = arg;
	const struct part *p = g->r->parts[k];
	const uint32_t *rank = p->rank;
	uint32_t *off = g->off[k];
	struct proc *pc = g->pc;
	for (uint64_t i = p->seg[0]; i < p->seg[1]; i++) {
		uint32_t c = p->tv[i].cust;
		pc->idx[pc->start[rank[c]] + off[c]++] = (uint32_t)(pc->slotbase[k] + i);
	}
}

void jt_stage_memory(struct jt_stagerun *r)
{
	struct ranking g;
	memset(&g, 0, sizeof g);
	g.r = r;
	jt_par_run(r->nparts, sort_slot, &g);
	size_t nc = merge_ranks(&g);
	if (nc == 0) {
		for (size_t k = 0; k < r->nparts; k++)
			free(g.off[k]);
		return;
	}
	struct proc pc;
	memset(&pc, 0, sizeof pc);
	pc.r = r;
	pc.ord = NULL;	/* ranks are the customers */
	pc.lo = 0;
	pc.hi = nc;
	uint64_t total = 0;
	for (size_t k = 0; k < r->nparts; k++) {
		pc.slotbase[k] = total;
		total += r->parts[k]->nt;
	}
	pc.slotbase[r->nparts] = total;
	for (size_t k = r->nparts + 1; k <= JT_MAXJOBS; k++)
		pc.slotbase[k] = UINT64_MAX;
	if (total >= UINT32_MAX)
		jt_die("more than %lu touches held at once, the most jstage keeps", (unsigned long)UINT32_MAX - 1);
	pc.start = jt_xmalloc((nc + 2) * sizeof *pc.start);
	pc.start[0] = 0;
	for (size_t c = 0; c < nc; c++) {
		pc.start[c + 1] = pc.start[c] + r->ccount[c];
		if (r->ccount[c] > pc.maxn)
			pc.maxn = r->ccount[c];
	}
	pc.idx = jt_xmalloc((total + 1) * sizeof *pc.idx);
	g.pc = &pc;
	if (r->nseg == 1) {	/* each slot its own touches */
		jt_par_run(r->nparts, fill_slot, &g);
		for (size_t k = 0; k < r->nparts; k++)
			free(g.off[k]);
	} else {	/* each thread the ranks of about an equal share of the touches */
		size_t T = r->jobs < JT_MAXJOBS ? r->jobs : JT_MAXJOBS, c = 0;
		if (T > nc)
			T = nc;
		g.lo[0] = 0;
		for (size_t j = 1; j < T; j++) {
			uint64_t want = total / T * j;
			while (c < nc && pc.start[c] < want)
				c++;
			g.lo[j] = c;
		}
		g.lo[T] = nc;
		jt_par_run(T, fill_ranks, &g);
	}
	if (jt_stage_has_cold(r))
		jt_stage_cold_process(&pc, nc);	/* in rounds, their long values read in (stage_cold.c) */
	else
		jt_stage_process(&pc);
	jt_stage_proc_free(&pc);
	free(pc.start);
	free(pc.idx);
}
