/* stage_cold.c — jstage in memory, when the rows' long distinct values
 * (URLs, comments: jt_ts_cold) wait in each slot's cold file.
 *
 * The customers' ranks are cut into rounds whose cold values fit a buffer of
 * about a 32nd of --memory (16 MiB at most), and each value is given its
 * place in its round's buffer: by customer, then slot, then input order,
 * the order the views will read them in. Each slot then reads its cold file
 * once, in order, and hands every value with its place to its round (a
 * jt_parts partition), writing the place into the row. Each round's values
 * are read into the buffer and the round's customers go to the views as
 * they would without cold values. The values are read twice and written
 * once more, all in order: cheaper than holding them, or reading each one
 * back. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_parts.h"
#include "stage_int.h"

#define ROUND_MIN ((uint64_t)1 << 20)
#define ROUND_MOST ((uint64_t)16 << 20)
#define READ_CHUNK ((size_t)1 << 20)

struct coldrun {
	struct jt_stagerun *r;
	uint32_t *round;	/* each rank's round */
	size_t nround;
	size_t *cut;	/* round q: ranks [cut[q], cut[q + 1]) */
	uint64_t *size;	/* round q's bytes */
	struct jt_parts ps[JT_MAXJOBS];
};

struct cold_hdr {	/* a value in a round's partition: its place and length, then its bytes */
	uint32_t at, len;
};

/* One slot's cold file read in order (the offsets only grow). */
struct mover {
	struct coldrun *cr;
	size_t k;
	const struct jt_tstore *ts;	/* slot k's */
	uint32_t q;	/* the round of the row in hand */
	uint32_t *at;	/* its customer's next place in the round */
	char *buf;
	size_t cap, len;
	uint64_t from;	/* the file offset of buf[0] */
};

static void move_one(void *arg, char *place, size_t len)
{
	struct mover *m = arg;
	const struct jt_tstore *ts = m->ts;
	uint32_t off;
	memcpy(&off, place, 4);
	if (off < m->from || off + (uint64_t)len > m->from + m->len) {
		size_t want = len > READ_CHUNK ? len : READ_CHUNK;
		if (off + (uint64_t)want > ts->coldf.size)
			want = (size_t)(ts->coldf.size - off);
		if (want > m->cap) {
			free(m->buf);
			m->buf = jt_xmalloc(want);
			m->cap = want;
		}
		jt_spill_pread(&ts->coldf, off, m->buf, want);
		m->from = off;
		m->len = want;
	}
	struct cold_hdr h = { m->at[0], (uint32_t)len };	/* its customer's next place */
	m->at[0] += (uint32_t)len;
	jt_parts_add2(&m->cr->ps[m->k], m->q, &h, sizeof h, m->buf + (off - m->from), len);
	memcpy(place, &h.at, 4);
}

static void move_slot(void *arg, size_t k)
{
	struct coldrun *cr = arg;
	struct part *p = cr->r->parts[k];
	struct mover m = { cr, k, &p->ts, 0, NULL, NULL, 0, 0, 0 };
	jt_parts_open(&cr->ps[k], cr->nround, 64 << 10);
	if (!p->ts.cold)
		return;
	jt_spill_flush(&p->ts.coldf);
	for (size_t i = 0; i < p->nt; i++) {
		uint32_t c = p->tv[i].cust;
		m.q = cr->round[p->rank[c]];
		m.at = &p->cb[c];
		jt_ts_cold_each(&p->ts, (char *)p->tv[i].u.row, move_one, &m);
	}
	free(m.buf);
	jt_ts_cold_end(&p->ts);	/* read whole: the rounds have every value */
}

/* The rounds: ranks in order, cut where the next would pass the buffer;
 * then each slot's customers' first places (in p->cb, their bytes before). */
static void cut_rounds(struct coldrun *cr, size_t nc)
{
	struct jt_stagerun *r = cr->r;
	uint64_t *rb = jt_xcalloc(nc + 1, sizeof *rb);
	for (size_t k = 0; k < r->nparts; k++) {
		const struct part *p = r->parts[k];
		for (size_t c = 0; p->cb && c < p->ct->n && c < p->ccap; c++)
			rb[p->rank[c]] += p->cb[c];
	}
	uint64_t most = r->budget / 32;
	most = most < ROUND_MIN ? ROUND_MIN : most > ROUND_MOST ? ROUND_MOST : most;
	cr->round = jt_xmalloc((nc + 1) * sizeof *cr->round);
	cr->cut = jt_xmalloc((nc + 2) * sizeof *cr->cut);
	cr->size = jt_xcalloc(nc + 1, sizeof *cr->size);
	cr->cut[0] = 0;
	size_t q = 0;
	uint64_t acc = 0;
	for (size_t c = 0; c < nc; c++) {
		if (acc && acc + rb[c] > most) {
			cr->size[q] = acc;
			cr->cut[++q] = c;
			acc = 0;
		}
		uint64_t b = rb[c];
		rb[c] = acc;	/* now the customer's first place */
		acc += b;
		if (acc > UINT32_MAX)
			jt_die("a customer with more than 4 GiB of long values in its rows: more than jstage keeps in "
			       "memory (give --memory less than the input's size: the run spills)");
		cr->round[c] = (uint32_t)q;
	}
	cr->size[q] = acc;
	cr->nround = q + 1;
	cr->cut[cr->nround] = nc;
	for (size_t k = 0; k < r->nparts; k++) {	/* a customer's values: slot by slot */
		struct part *p = r->parts[k];
		for (size_t c = 0; p->cb && c < p->ct->n && c < p->ccap; c++) {
			uint32_t b = p->cb[c];
			p->cb[c] = (uint32_t)rb[p->rank[c]];
			rb[p->rank[c]] += b;
		}
	}
	free(rb);
}

/* A chunk of a round's values to their places. */
static void place_in(void *ctx, const char *data, size_t len, void *tag)
{
	char *buf = ctx;
	(void)tag;
	for (size_t i = 0; i < len;) {
		struct cold_hdr h;
		memcpy(&h, data + i, sizeof h);
		memcpy(buf + h.at, data + i + sizeof h, h.len);
		i += sizeof h + h.len;
	}
}

int jt_stage_has_cold(const struct jt_stagerun *r)
{
	for (size_t k = 0; k < r->nparts; k++)
		if (jt_ts_cold_bytes(&r->parts[k]->ts))
			return 1;
	return 0;
}

void jt_stage_cold_process(struct proc *pc, size_t nc)
{
	struct coldrun cr;
	memset(&cr, 0, sizeof cr);
	cr.r = pc->r;
	struct jt_stagerun *r = pc->r;
	cut_rounds(&cr, nc);
	jt_par_run(r->nparts, move_slot, &cr);
	uint64_t *start = pc->start, most = 0;
	for (size_t q = 0; q < cr.nround; q++)
		most = cr.size[q] > most ? cr.size[q] : most;
	char *buf = jt_xmalloc(most + 1);
	for (size_t k = 0; k < r->nparts; k++)
		r->parts[k]->ts.coldbase = buf;
	for (size_t q = 0; q < cr.nround; q++) {
		for (size_t k = 0; k < r->nparts; k++)
			jt_parts_each(&cr.ps[k], q, place_in, buf);
		pc->lo = cr.cut[q];
		pc->hi = cr.cut[q + 1];
		pc->start = start + pc->lo;	/* start[rank - lo] */
		jt_stage_process(pc);
	}
	pc->start = start;
	for (size_t k = 0; k < r->nparts; k++) {
		r->parts[k]->ts.coldbase = NULL;
		jt_parts_close(&cr.ps[k]);
	}
	free(buf);
	free(cr.size);
	free(cr.round);
	free(cr.cut);
}
