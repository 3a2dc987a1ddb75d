/* stage_annotate.c — jstage's default view: every touch with its stage, its
 * step in the customer's journey, the gap since the touch before, and the
 * outcomes (--outcome) that followed it within --window. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_rx.h"
#include "stage_int.h"

void jt_annotate_setup(struct jt_stagerun *r)
{
	const char *spec = r->o.outcome;
	if (strcmp(spec, "default") == 0)
		spec = "next:nps,next:csat,referred=touchpoint:^referral_sent$";
	char *list = jt_xstrdup(spec), *save = NULL;
	for (char *it = strtok_r(list, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		if (r->noc == 64)
			jt_usage_error("--outcome: more than 64 outcomes");
		r->oc = jt_xrealloc(r->oc, (r->noc + 1) * sizeof *r->oc);
		struct outcome *o = &r->oc[r->noc++];
		memset(o, 0, sizeof *o);
		o->idx = -1;
		char *eq = strchr(it, '=');
		if (strncmp(it, "next:", 5) == 0 && (!eq || eq > strchr(it, ':'))) {
			o->kind = OUT_NEXT;
			o->col = jt_xstrdup(it + 5);
			struct jt_buf b = JT_BUF_INIT;
			jt_buf_printf(&b, "next_%s", o->col);
			o->name = b.p;
			if (!*o->col)
				jt_usage_error("--outcome: 'next:' needs a column");
			continue;
		}
		char *colon = eq ? strchr(eq, ':') : NULL;
		if (!eq || !colon || eq == it || colon == eq + 1)
			jt_usage_error("--outcome: '%s' is not next:COL or NAME=COL:PATTERN", it);
		o->kind = OUT_FLAG;
		o->name = jt_xmemdup(it, (size_t)(eq - it));
		o->col = jt_xmemdup(eq + 1, (size_t)(colon - eq - 1));
		o->rx = jt_stage_compile(colon + 1, "--outcome");
	}
	free(list);
}

void jt_annotate_header(struct jt_stagerun *r)
{
	const struct jt_header *h = r->h;
	r->nout = h->n;
	long *own[] = { &r->c_stage, &r->c_step, &r->c_gap };
	const char *names[] = { "stage", "step", "gap_s" };
	for (int k = 0; k < 3; k++) {
		*own[k] = -1;
		for (size_t i = 0; i < h->n; i++)
			if (strcmp(h->name[i], names[k]) == 0)
				*own[k] = (long)i;	/* a second run replaces its own columns in place */
		if (*own[k] < 0)
			*own[k] = (long)r->nout++;
	}
	for (size_t k = 0; k < r->noc; k++) {
		r->oc[k].outcol = -1;
		for (size_t i = 0; i < h->n; i++)
			if (strcmp(h->name[i], r->oc[k].name) == 0)
				r->oc[k].outcol = (long)i;
		if (r->oc[k].outcol < 0)
			r->oc[k].outcol = (long)r->nout++;
	}
	const char **names_out = jt_xcalloc(r->nout, sizeof *names_out);
	size_t *lens = jt_xcalloc(r->nout, sizeof *lens);
	for (size_t i = 0; i < h->n; i++) {
		names_out[i] = h->name[i];
		lens[i] = h->len[i];
	}
	for (int k = 0; k < 3; k++) {
		names_out[*own[k]] = names[k];
		lens[*own[k]] = strlen(names[k]);
	}
	for (size_t k = 0; k < r->noc; k++) {
		names_out[r->oc[k].outcol] = r->oc[k].name;
		lens[r->oc[k].outcol] = strlen(r->oc[k].name);
	}
	r->hnames = names_out;	/* written with the first row (or at the end) */
	r->hlens = lens;
}

void jt_annotate_header_out(struct jt_stagerun *r, struct vctx *v)
{
	if (!r->hnames)
		return;
	jt_w_record(&v->w, r->hnames, r->hlens, r->nout, 0);
	free(r->hnames);
	free(r->hlens);
	r->hnames = NULL;
	r->hlens = NULL;
}

void jt_annotate_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n)
{
	size_t noc = r->noc;
	jt_annotate_header_out(r, v);	/* --sorted: with the first customer */
	long nextidx[64];
	for (size_t k = 0; k < noc && k < 64; k++)
		nextidx[k] = -1;
	/* outcome targets, from the last touch backwards: the nearest later touch */
	if (noc && n * noc > v->tgtcap) {
		v->tgtcap = n * noc;
		v->tgt = jt_xrealloc(v->tgt, v->tgtcap * sizeof *v->tgt);
	}
	long *tgt = v->tgt;
	for (size_t i = n; noc && i-- > 0;) {
		for (size_t k = 0; k < noc; k++)
			tgt[i * noc + k] = nextidx[k];
		for (size_t k = 0; k < noc; k++) {
			const struct outcome *o = &r->oc[k];
			if (o->idx < 0)
				continue;
			/* a value for next:COL, or a flag's pattern matched, as it was read */
			if (t[i].mask >> k & 1)
				nextidx[k] = (long)i;
		}
	}
	const char **of = v->of;
	size_t *ol = v->ol;
	char (*num)[64] = v->num;
	for (size_t i = 0; i < n; i++) {
		jt_stage_row(r, v, &t[i], of, ol);
		of[r->c_stage] = t[i].label != NOLABEL ? jt_stage_label(r, t[i].label) : "";
		ol[r->c_stage] = strlen(of[r->c_stage]);
		of[r->c_step] = jt_fmt_u64(i + 1, num[r->c_step]);
		ol[r->c_step] = strlen(of[r->c_step]);
		if (i > 0) {	/* touches are in time order: gaps are never negative */
			of[r->c_gap] = jt_fmt_u64((uint64_t)(t[i].t - t[i - 1].t), num[r->c_gap]);
			ol[r->c_gap] = strlen(of[r->c_gap]);
		} else {
			ol[r->c_gap] = 0;
		}
		for (size_t k = 0; k < noc; k++) {
			const struct outcome *o = &r->oc[k];
			long j = tgt[i * noc + k];
			int in = j >= 0 && t[j].t - t[i].t <= r->o.window;
			if (o->kind == OUT_NEXT) {
				if (in)
					of[o->outcol] = jt_stage_field(r, v, &t[j], (size_t)o->idx, &ol[o->outcol]);
				else
					ol[o->outcol] = 0;
			} else {
				of[o->outcol] = in ? "1" : "0";
				ol[o->outcol] = 1;
			}
		}
		jt_w_record(&v->w, of, ol, r->nout, 0);
	}
}

void jt_annotate_free(struct jt_stagerun *r)
{
	for (size_t k = 0; k < r->noc; k++) {
		free(r->oc[k].name);
		free(r->oc[k].col);
		jt_rx_free(r->oc[k].rx);
	}
	free(r->oc);
	free(r->hnames);
	free(r->hlens);
}
