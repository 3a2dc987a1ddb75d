/* stage_paths.c — jstage --paths: the directly-follows graph (pm4py's DFG),
 * each edge with its count, customers and the median and p90 of its gaps;
 * as CSV or as Graphviz dot. */
#include <stdlib.h>
#include <string.h>

#include "jt_stats.h"
#include "stage_int.h"

static struct edge *edge_at(struct jt_stagerun *r, uint32_t from, uint32_t to)
{
	uint32_t k[2] = { from, to };
	int isnew;
	size_t e = jt_map_put(&r->edges, k, sizeof k, 0, &isnew);
	if (isnew) {
		void *p = r->ev;
		jt_xgrow(&p, &r->evcap, e + 1, sizeof *r->ev);
		r->ev = p;
		memset(&r->ev[e], 0, sizeof r->ev[e]);
		r->ev[e].from = from;
		r->ev[e].to = to;
		r->ev[e].lastcust = NOKEY;
		r->nev = e + 1;
	}
	return &r->ev[e];
}

static void edge_add(struct edge *e, uint32_t cust, int64_t gap, int has_gap)
{
	e->count++;
	if (e->lastcust != cust) {
		e->customers++;
		e->lastcust = cust;
	}
	if (has_gap) {
		void *p = e->gap;
		jt_xgrow(&p, &e->gcap, e->ngap + 1, sizeof *e->gap);
		e->gap = p;
		e->gap[e->ngap++] = gap;
	}
}

void jt_paths_customer(struct jt_stagerun *r, struct tch *t, size_t n)
{
	edge_add(edge_at(r, r->start_key, t[0].u.k.key), t[0].cust, 0, 0);
	for (size_t i = 1; i < n; i++)
		edge_add(edge_at(r, t[i - 1].u.k.key, t[i].u.k.key), t[i].cust, t[i].t - t[i - 1].t, 1);
	edge_add(edge_at(r, t[n - 1].u.k.key, r->end_key), t[n - 1].cust, 0, 0);
}

static const struct jt_stagerun *sort_ctx;

static int cmp_key(const struct jt_stagerun *r, uint32_t a, uint32_t b)
{
	size_t la, lb;
	const char *x = jt_stage_key(r, a, &la), *y = jt_stage_key(r, b, &lb);
	return jt_bytes_cmp(x, la, y, lb);
}

/* Edges by count, most first, then by name. */
static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	int c = cmp_key(sort_ctx, x->from, y->from);
	return c ? c : cmp_key(sort_ctx, x->to, y->to);
}

static void dot_id(struct jt_buf *b, const char *s, size_t n)
{
	jt_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			jt_buf_addc(b, '\\');
		if (s[i] == '\n' || s[i] == '\r')
			jt_buf_adds(b, "\\n");
		else
			jt_buf_addc(b, s[i]);
	}
	jt_buf_addc(b, '"');
}

void jt_paths_write(struct jt_stagerun *r)
{
	sort_ctx = r;
	if (r->nev > 1)
		qsort(r->ev, r->nev, sizeof *r->ev, cmp_edge);
	if (r->o.dot) {
		struct jt_buf b = JT_BUF_INIT;
		jt_writer_flush(&r->main.w);
		fputs("digraph journey {\n\trankdir=LR;\n\tnode [shape=box];\n", r->out);
		for (size_t i = 0; i < r->nev; i++) {
			size_t lf, lt;
			const char *f = jt_stage_key(r, r->ev[i].from, &lf), *t = jt_stage_key(r, r->ev[i].to, &lt);
			jt_buf_reset(&b);
			jt_buf_adds(&b, "\t");
			dot_id(&b, f, lf);
			jt_buf_adds(&b, " -> ");
			dot_id(&b, t, lt);
			jt_buf_printf(&b, " [label=\"%llu\"];\n", (unsigned long long)r->ev[i].count);
			fwrite(b.p, 1, b.len, r->out);
		}
		fputs("}\n", r->out);
		jt_buf_free(&b);
		return;
	}
	const char *hdr[] = { "from", "to", "count", "customers", "median_s", "p90_s" };
	jt_stage_row_out(&r->main, hdr, 6);
	for (size_t i = 0; i < r->nev; i++) {
		struct edge *e = &r->ev[i];
		char c[64], cu[64], med[64], p90[64];
		size_t lf, lt;
		const char *f[6];
		f[0] = jt_stage_key(r, e->from, &lf);
		f[1] = jt_stage_key(r, e->to, &lt);
		f[2] = jt_fmt_u64(e->count, c);
		f[3] = jt_fmt_u64(e->customers, cu);
		jt_quantile_s(e->gap, e->ngap, 50, med);
		jt_quantile_s(e->gap, e->ngap, 90, p90);
		f[4] = med;
		f[5] = p90;
		size_t len[6] = { lf, lt, strlen(f[2]), strlen(f[3]), strlen(med), strlen(p90) };
		jt_w_record(&r->main.w, f, len, 6, 0);
	}
}

void jt_paths_free(struct jt_stagerun *r)
{
	jt_map_free(&r->edges);
	for (size_t i = 0; i < r->nev; i++)
		free(r->ev[i].gap);
	free(r->ev);
}
