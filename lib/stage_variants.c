/* stage_variants.c — jstage --variants: distinct journeys (pm4py's
 * variants), each with its customers, share and median duration. */
#include <stdlib.h>
#include <string.h>

#include "jt_stats.h"
#include "stage_int.h"

void jt_variants_customer(struct jt_stagerun *r, struct tch *t, size_t n)
{
	struct jt_buf *b = &r->vb;
	jt_buf_reset(b);
	jt_buf_add(b, "", 0);
	uint64_t *seen = NULL;
	size_t nseen = 0;
	uint32_t prev = NOKEY;
	size_t nsteps = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = t[i].u.k.key;
		if (r->o.collapse && k == prev)
			continue;
		if (r->o.first_only) {
			size_t s;
			for (s = 0; s < nseen && seen[s] != k; s++)
				;
			if (s < nseen)
				continue;
			seen = jt_xrealloc(seen, (nseen + 1) * sizeof *seen);
			seen[nseen++] = k;
		}
		size_t len;
		const char *name = jt_stage_key(r, k, &len);
		if (prev != NOKEY)	/* not the first item (an empty first item still needs the separator) */
			jt_buf_adds(b, " > ");
		jt_buf_add(b, name, len);
		prev = k;
		nsteps++;
	}
	free(seen);
	int isnew;
	size_t v = jt_map_put(&r->variants, b->p, b->len, 0, &isnew);
	if (isnew) {
		void *p = r->vv;
		jt_xgrow(&p, &r->vvcap, v + 1, sizeof *r->vv);
		r->vv = p;
		memset(&r->vv[v], 0, sizeof r->vv[v]);
		r->nvv = v + 1;
	}
	struct variant *va = &r->vv[v];
	va->count++;
	va->steps = nsteps;
	void *p = va->dur;
	jt_xgrow(&p, &va->cap, va->n + 1, sizeof *va->dur);
	va->dur = p;
	va->dur[va->n++] = t[n - 1].t - t[0].t;
}

static const struct jt_stagerun *sort_ctx;

static int cmp_var(const void *a, const void *b)
{
	const struct jt_stagerun *r = sort_ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (r->vv[x].count != r->vv[y].count)
		return r->vv[x].count > r->vv[y].count ? -1 : 1;
	const struct jt_map_ent *ex = &r->variants.ent[x], *ey = &r->variants.ent[y];
	int c = memcmp(ex->key, ey->key, ex->len < ey->len ? ex->len : ey->len);
	return c ? c : (ex->len > ey->len) - (ex->len < ey->len);
}

void jt_variants_write(struct jt_stagerun *r)
{
	size_t *ord = jt_xcalloc(r->nvv + 1, sizeof *ord);
	for (size_t i = 0; i < r->nvv; i++)
		ord[i] = i;
	sort_ctx = r;
	if (r->nvv > 1)
		qsort(ord, r->nvv, sizeof *ord, cmp_var);
	const char *hdr[] = { "variant", "customers", "share_pct", "cumulative_pct", "median_duration_s", "steps" };
	jt_stage_row_out(&r->main, hdr, 6);
	uint64_t cum = 0;
	size_t shown = r->o.top && r->o.top < r->nvv ? r->o.top : r->nvv;
	for (size_t i = 0; i < shown; i++) {
		struct variant *v = &r->vv[ord[i]];
		const struct jt_map_ent *e = &r->variants.ent[ord[i]];
		char c[64], sh[64], cu[64], med[64], st[64];
		cum += v->count;
		jt_fmt_u64(v->count, c);
		jt_pct(v->count, r->customers, sh);
		jt_pct(cum, r->customers, cu);
		jt_quantile_s(v->dur, v->n, 50, med);
		jt_fmt_u64(v->steps, st);
		const char *f[6] = { e->key, c, sh, cu, med, st };
		size_t len[6] = { e->len, strlen(c), strlen(sh), strlen(cu), strlen(med), strlen(st) };
		jt_w_record(&r->main.w, f, len, 6, 0);
	}
	if (shown < r->nvv) {	/* the rest, so that shares add up to 100 */
		uint64_t rest = r->customers - cum;
		int64_t *d = NULL;
		size_t nd = 0;
		for (size_t i = shown; i < r->nvv; i++) {
			struct variant *v = &r->vv[ord[i]];
			d = jt_xrealloc(d, (nd + v->n + 1) * sizeof *d);
			memcpy(d + nd, v->dur, v->n * sizeof *d);
			nd += v->n;
		}
		char c[64], sh[64], cu[64], med[64];
		jt_fmt_u64(rest, c);
		jt_pct(rest, r->customers, sh);
		jt_pct(r->customers, r->customers, cu);
		jt_quantile_s(d, nd, 50, med);
		const char *f[6] = { "(other)", c, sh, cu, med, "" };
		jt_stage_row_out(&r->main, f, 6);
		free(d);
	}
	free(ord);
}

void jt_variants_free(struct jt_stagerun *r)
{
	jt_map_free(&r->variants);
	for (size_t i = 0; i < r->nvv; i++)
		free(r->vv[i].dur);
	free(r->vv);
}
