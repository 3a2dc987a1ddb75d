/* kpi_state.c — the KPI engine's partial state: written (--partial,
 * --history), merged (--merge), and read cell by cell by --baseline and
 * --history (lib/baseline.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jt_baseline.h"
#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_page.h"
#include "jt_reject.h"
#include "jt_shards.h"
#include "jt_sketch.h"
#include "jt_spill.h"
#include "jt_stats.h"
#include "jt_time.h"
#include "jt_tz.h"
#include "kpi_int.h"

/* ---------- partial state ---------- */

/* A whole i128 in decimal digits into d (64 bytes). */
static char *i128_format(jt_i128 v, char *d)
{
	char t[64];
	size_t n = 0;
	unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	do
		t[n++] = (char)('0' + (int)(u % 10));
	while ((u /= 10) != 0);
	size_t i = 0;
	if (v < 0)
		d[i++] = '-';
	while (n)
		d[i++] = t[--n];
	d[i] = '\0';
	return d;
}

static int i128_parse(const char *s, size_t n, jt_i128 *v)
{
	unsigned __int128 u = 0;
	if (n == 0 || n > 39)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		u = u * 10 + (unsigned)(s[i] - '0');
	}
	if (u >> 127)
		return -1;
	*v = (jt_i128)u;
	return 0;
}

static void state_string(const struct kpi *k, const struct kst *s, struct jt_buf *b)
{
	char d[64];
	jt_buf_reset(b);
	switch (k->kind) {
	case K_COUNT:
		jt_buf_printf(b, "n=%llu", (unsigned long long)s->n);
		return;
	case K_DISTINCT:
		jt_buf_printf(b, "missing=%llu", (unsigned long long)s->missing);
		return;
	default:
		break;
	}
	jt_buf_printf(b, "n=%llu;missing=%llu", (unsigned long long)s->n, (unsigned long long)s->missing);
	switch (k->kind) {
	case K_SUM:
	case K_MEAN:
		jt_buf_printf(b, ";sum=%s", jt_dec_format(s->sum, d));
		if (k->kind == K_MEAN && !s->sq_bad)
			jt_buf_printf(b, ";sumsq=%s", i128_format(s->sumsq, d));
		break;
	case K_CES:
		jt_buf_printf(b, ";sum=%s;low_effort=%llu", jt_dec_format(s->sum, d), (unsigned long long)s->c1);
		if (!s->sq_bad)
			jt_buf_printf(b, ";sumsq=%s", i128_format(s->sumsq, d));
		break;
	case K_MIN:
	case K_MAX:
	case K_QUANT:
		if (s->n) {
			jt_buf_printf(b, ";min=%s", jt_dec_format(s->min, d));
			jt_buf_printf(b, ";max=%s", jt_dec_format(s->max, d));
		}
		if (k->kind == K_QUANT) {
			if (s->sk) {
				jt_sketch_encode(s->sk, b);
			} else {
				struct jt_sketch sk;
				memset(&sk, 0, sizeof sk);
				for (size_t i = 0; i < s->vn; i++)
					jt_sketch_add(&sk, jt_dec_to_double(s->v[i]));
				jt_sketch_encode(&sk, b);
				jt_sketch_free(&sk);
			}
		}
		break;
	case K_NPS:
		jt_buf_printf(b, ";promoters=%llu;passives=%llu;detractors=%llu", (unsigned long long)s->c1,
			      (unsigned long long)s->c2, (unsigned long long)s->c3);
		break;
	case K_CSAT:
		jt_buf_printf(b, ";satisfied=%llu", (unsigned long long)s->c1);
		break;
	case K_RATE:
		jt_buf_printf(b, ";hits=%llu", (unsigned long long)s->c1);
		break;
	default:
		break;
	}
}

static void prow(struct jt_writer *w, const char *type, const char *key, size_t ng, const char *name,
		 const char *val, size_t vlen)
{
	jt_w_str(w, PARTIAL_VERSION);
	jt_w_str(w, type);
	for (size_t i = 0; i < ng; i++) {
		size_t l = 0;
		const char *f = key ? kpi_key_field(key, i, &l) : "";
		jt_w_field(w, f, l);
	}
	jt_w_str(w, name);
	jt_w_field(w, val, vlen);
	jt_w_end(w);
}

/* --shard-id K/N: the partial's first row, "shard" with K/N as its value (jt_shards.h) */
static void write_shard_id(const struct jt_agg *a, struct jt_writer *w)
{
	char id[48];
	int n = snprintf(id, sizeof id, "%llu/%llu", (unsigned long long)a->o.shard_k, (unsigned long long)a->o.shard_n);
	prow(w, "shard", NULL, a->ng, "", id, (size_t)n);
}

/* The partial's options and KPI rows, through emit (the partial writes them;
 * jt_agg_signature lists them). */
typedef void emit_fn(void *ctx, const char *type, const char *name, const char *val, size_t vlen);

static void emit_head(struct jt_agg *a, emit_fn *emit, void *ctx)
{
	struct jt_buf b = JT_BUF_INIT;
	emit(ctx, "option", "csat", a->o.csat == JT_CSAT_GOODBAD ? "good-bad" : "top2",
	     a->o.csat == JT_CSAT_GOODBAD ? 8 : 4);
	if (a->per_name) {
		emit(ctx, "option", "per", a->per_name, strlen(a->per_name));
		emit(ctx, "option", "per_rows", PER_ROWS, strlen(PER_ROWS));
	}
	if (a->pivot_name)
		emit(ctx, "option", "pivot", a->pivot_name, strlen(a->pivot_name));
	if (a->o.pivot_order)
		emit(ctx, "option", "pivot_order", a->o.pivot_order, strlen(a->o.pivot_order));
	if (a->pivot_name) {	/* which group columns are time buckets: --merge sorts them by time */
		jt_buf_reset(&b);
		for (size_t i = 0; i < a->ng; i++)
			if (a->gbucket[i])
				jt_buf_printf(&b, "%s%zu", b.len ? "," : "", i + 1);
		if (b.len)
			emit(ctx, "option", "time_buckets", b.p, b.len);
	}
	if (a->maptext.len)
		emit(ctx, "option", "map", a->maptext.p, a->maptext.len);
	if (a->o.tz_name)
		emit(ctx, "option", "tz", a->o.tz_name, strlen(a->o.tz_name));
	if (a->o.sort)
		emit(ctx, "option", "sort", "1", 1);
	if (a->o.format != JT_FMT_CSV) {
		static const char *const fn[] = { "csv", "tsv", "md", "json", "html" };
		emit(ctx, "option", "format", fn[a->o.format], strlen(fn[a->o.format]));
	}
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		jt_buf_reset(&b);
		if (k->kind == K_QUANT && k->median)
			jt_buf_adds(&b, "median");
		else if (k->kind == K_QUANT)
			jt_buf_printf(&b, "p%d", k->q);
		else
			jt_buf_adds(&b, kpi_kind_name[k->kind]);
		if (k->has_col) {
			jt_buf_addc(&b, ':');
			jt_buf_adds(&b, k->colname);
		}
		emit(ctx, "kpi", k->name, b.p, b.len);
	}
	jt_buf_free(&b);
}

struct pemit {
	struct jt_writer *w;
	size_t ng;
};

static void partial_emit(void *ctx, const char *type, const char *name, const char *val, size_t vlen)
{
	struct pemit *pe = ctx;
	prow(pe->w, type, NULL, pe->ng, name, val, vlen);
}

void kpi_write_partial(struct jt_agg *a, FILE *fp)
{
	if (a->counted)
		jt_die("internal error: a state written after jt_agg_merge_last");
	struct jt_writer w;
	struct jt_buf b = JT_BUF_INIT;
	jt_writer_init(&w, fp);
	jt_w_str(&w, "jkpi_partial");
	jt_w_str(&w, "type");
	for (size_t i = 0; i < a->ng; i++)
		jt_w_field(&w, a->gname[i], a->gnlen[i]);
	jt_w_str(&w, "name");
	jt_w_str(&w, "value");
	jt_w_end(&w);
	if (a->o.shard_n)
		write_shard_id(a, &w);
	struct pemit pe = { &w, a->ng };
	emit_head(a, partial_emit, &pe);
	for (size_t g = 0; g < a->groups.n; g++) {
		const char *key = a->groups.ent[g].key;
		prow(&w, "group", key, a->ng, "", "", 0);
		for (size_t i = 0; i < a->nk; i++) {
			state_string(&a->k[i], &a->st[g * a->nk + i], &b);
			prow(&w, "state", key, a->ng, a->k[i].name, b.p, b.len);
		}
	}
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		for (size_t e = 0; e < k->set.n; e++) {
			uint32_t gid;
			memcpy(&gid, k->set.ent[e].key, sizeof gid);
			prow(&w, "value", a->groups.ent[gid].key, a->ng, k->name, k->set.ent[e].key + sizeof gid,
			     k->set.ent[e].len - sizeof gid);
		}
	}
	for (size_t e = 0; e < a->per.n; e++) {
		uint32_t gid;
		memcpy(&gid, a->per.ent[e].key, sizeof gid);
		prow(&w, "per", a->groups.ent[gid].key, a->ng, "", a->per.ent[e].key + sizeof gid,
		     a->per.ent[e].len - sizeof gid);
	}
	jt_buf_free(&b);
}

/* ---------- merge ---------- */

/* Names the first line where this partial's options differ from the first's. */
static _Noreturn void options_differ(struct jt_agg *a, const char *src)
{
	const char *x = a->m_ref_opts.p ? a->m_ref_opts.p : "", *y = a->m_opts.p ? a->m_opts.p : "";
	char diff[512];
	jt_lines_diff(x, a->m_ref_opts.len, y, a->m_opts.len, a->first_src, diff, sizeof diff);
	jt_die_at(src, 1, "partials were made with different options (-k, --per, --pivot, --csat, --map, --tz): %s", diff);
}

/* The first partial's options become the reference; every later one must match. */
void kpi_check_options(struct jt_agg *a, const char *src)
{
	const char *o = a->m_opts.p ? a->m_opts.p : "";
	if ((!strncmp(o, "per=", 4) || strstr(o, "\nper=")) && !strstr(o, "\nper_rows="))
		jt_die_at(src, 1, "a partial with --per from an older jkpi (it took each key's first row for every KPI): make it again");
	if (!a->m_have_ref) {
		a->m_have_ref = 1;
		jt_buf_add(&a->m_ref_opts, a->m_opts.p ? a->m_opts.p : "", a->m_opts.len);
	} else if (a->m_opts.len != a->m_ref_opts.len ||
		   memcmp(a->m_opts.p ? a->m_opts.p : "", a->m_ref_opts.p ? a->m_ref_opts.p : "", a->m_opts.len)) {
		options_differ(a, src);
	}
}

/* "'x,y' there, 'x,z' here": the group columns of two partials' headers. */
static const char *group_diff(const struct jt_header *first, const struct jt_header *h)
{
	static char msg[512];
	struct jt_buf b[2] = { JT_BUF_INIT, JT_BUF_INIT };
	for (int s = 0; s < 2; s++) {
		const struct jt_header *x = s ? h : first;
		for (size_t i = 2; i + 2 < x->n; i++) {
			if (i > 2)
				jt_buf_addc(&b[s], ',');
			jt_buf_add(&b[s], x->name[i], x->len[i]);
		}
		jt_buf_addc(&b[s], '\0');
	}
	char there[200];
	snprintf(there, sizeof there, "%s", b[0].p[0] ? jt_show(b[0].p, b[0].len - 1) : "");
	snprintf(msg, sizeof msg, "%s%s%s there, %s%s%s here", there[0] ? "'" : "", there[0] ? there : "nothing",
		 there[0] ? "'" : "", b[1].p[0] ? "'" : "", b[1].p[0] ? jt_show(b[1].p, b[1].len - 1) : "nothing",
		 b[1].p[0] ? "'" : "");
	jt_buf_free(&b[0]);
	jt_buf_free(&b[1]);
	return msg;
}

void kpi_merge_header(struct jt_agg *a, const char *src, const struct jt_header *h)
{
	if (h->n < 4 || h->len[0] != 12 || memcmp(h->name[0], "jkpi_partial", 12) != 0 ||
	    strcmp(h->name[1], "type") != 0 || strcmp(h->name[h->n - 2], "name") != 0 ||
	    strcmp(h->name[h->n - 1], "value") != 0)
		jt_die_at(src, 1, "not a jkpi partial (make one with jkpi --partial)");
	a->m_src = src;
	if (!a->hdr) {
		a->hdr = jt_header_copy(h);
		a->first_src = jt_xstrdup(src);
		a->ng = h->n - 4;
		a->gname = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gname);
		a->gnlen = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gnlen);
		for (size_t i = 0; i < a->ng; i++) {
			a->gname[i] = jt_xmemdup(h->name[i + 2], h->len[i + 2]);
			a->gnlen[i] = h->len[i + 2];
		}
		a->gbucket = jt_xcalloc(a->ng ? a->ng : 1, 1);
	} else if (!jt_header_equal(a->hdr, h)) {
		jt_die_at(src, 1, "partial groups by other columns than %s: %s", a->first_src, group_diff(a->hdr, h));
	}
	jt_shards_begin(a->m_shards);
	/* a new partial starts: the previous one's options must match the first's */
	if (a->m_opts.len || a->m_kpi_seen)
		kpi_check_options(a, src);
	jt_buf_reset(&a->m_opts);
	a->m_checked = 0;
	if (a->nk)
		a->m_defined = 1;
	a->m_kpi_seen = 0;
}

static long find_kpi(struct jt_agg *a, const char *name)
{
	for (size_t i = 0; i < a->nk; i++)
		if (strcmp(a->k[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int parse_u64(const char *s, size_t n, uint64_t *v)
{
	char tmp[32];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return jt_parse_size(tmp, v);
}

static int merge_state(struct kpi *k, struct kst *s, const char *v, size_t vlen)
{
	struct kst in;
	memset(&in, 0, sizeof in);
	int have_min = 0, have_max = 0, have_sq = 0;
	const char *p = v, *end = v + vlen;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p)), *e = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		if (!eq)
			return -1;
		size_t kl = (size_t)(eq - p), vl = (size_t)(e - eq - 1);
		const char *val = eq + 1;
		char key[16];
		if (kl >= sizeof key)
			return -1;
		memcpy(key, p, kl);
		key[kl] = '\0';
		int rc = 0;
		if (!strcmp(key, "n"))
			rc = parse_u64(val, vl, &in.n);
		else if (!strcmp(key, "missing"))
			rc = parse_u64(val, vl, &in.missing);
		else if (!strcmp(key, "promoters") || !strcmp(key, "satisfied") || !strcmp(key, "hits") ||
			 !strcmp(key, "low_effort"))
			rc = parse_u64(val, vl, &in.c1);
		else if (!strcmp(key, "passives"))
			rc = parse_u64(val, vl, &in.c2);
		else if (!strcmp(key, "detractors"))
			rc = parse_u64(val, vl, &in.c3);
		else if (!strcmp(key, "sum"))
			rc = jt_dec_parse_exact(val, vl, &in.sum) ? -1 : 0;
		else if (!strcmp(key, "sumsq") && (k->kind == K_MEAN || k->kind == K_CES)) {
			rc = i128_parse(val, vl, &in.sumsq);
			have_sq = 1;
		}
		else if (!strcmp(key, "min")) {
			rc = jt_dec_parse(val, vl, &in.min) ? -1 : 0;
			have_min = 1;
		} else if (!strcmp(key, "max")) {
			rc = jt_dec_parse(val, vl, &in.max) ? -1 : 0;
			have_max = 1;
		} else if (!strcmp(key, "zero") || !strcmp(key, "pos") || !strcmp(key, "neg")) {
			if (k->kind != K_QUANT)
				return -1;
			if (!s->sk)
				s->sk = jt_xcalloc(1, sizeof *s->sk);
			rc = jt_sketch_decode_item(s->sk, key, val, vl);
		} else
			return -1;
		if (rc)
			return -1;
		p = semi ? semi + 1 : end;
	}
	if (k->kind == K_QUANT && !s->sk)
		s->sk = jt_xcalloc(1, sizeof *s->sk);
	if ((k->kind == K_MIN || k->kind == K_MAX || k->kind == K_QUANT) && in.n && (!have_min || !have_max))
		return -1;
	if (in.n && (s->n == 0 || in.min < s->min))
		s->min = in.min;
	if (in.n && (s->n == 0 || in.max > s->max))
		s->max = in.max;
	if (k->kind != K_DISTINCT)
		s->n += in.n;
	s->missing += in.missing;
	s->c1 += in.c1;
	s->c2 += in.c2;
	s->c3 += in.c3;
	if (__builtin_add_overflow(s->sum, in.sum, &s->sum))
		return -2;
	if (in.n && !have_sq)	/* an older partial: no variance */
		s->sq_bad = 1;
	if (!s->sq_bad && __builtin_add_overflow(s->sumsq, in.sumsq, &s->sumsq))
		s->sq_bad = 1;
	return 0;
}

void kpi_merge_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj)
{
	size_t ng = a->ng;
	const char *type = rec->f[1], *name = rec->f[ng + 2], *val = rec->f[ng + 3];
	size_t vlen = rec->len[ng + 3];
	(void)rj;
	if (strcmp(rec->f[0], "jkpi_partial") == 0 && strcmp(type, "type") == 0) {
		struct jt_header h = { rec->n, (char **)rec->f, (size_t *)rec->len };
		kpi_merge_header(a, src, &h);	/* concatenated partials */
		return;
	}
	if (strcmp(rec->f[0], PARTIAL_VERSION) != 0)
		jt_die_at(src, rec->line, "partial format version '%s' is not supported (this jkpi reads version %s)",
			  jt_show(rec->f[0], rec->len[0]), PARTIAL_VERSION);
	if (jt_shards_row(a->m_shards, src, rec->line, type, val, vlen))
		return;
	if (!strcmp(type, "option")) {
		if (!strcmp(name, "sort")) {
			if (!a->o.sort_given)
				a->o.sort = 1;
			return;
		}
		if (!strcmp(name, "format")) {
			int f = jt_format_from_name(val);
			if (f < 0)
				jt_die_at(src, rec->line, "unknown format '%s' in partial", jt_show(val, vlen));
			if (!a->o.format_given)
				a->o.format = (enum jt_format)f;
			return;
		}
		jt_buf_printf(&a->m_opts, "%s=%s\n", name, val);
		if (a->m_defined)
			return;
		if (!strcmp(name, "csat"))
			a->o.csat = !strcmp(val, "good-bad") ? JT_CSAT_GOODBAD : JT_CSAT_TOP2;
		else if (!strcmp(name, "per"))
			a->per_name = jt_xstrdup(val);
		else if (!strcmp(name, "per_rows")) {
			if (strcmp(val, PER_ROWS) != 0)
				jt_die_at(src, rec->line, "unknown per_rows rule '%s' in partial (this jkpi knows %s)",
					  jt_show(val, vlen), PER_ROWS);
		}
		else if (!strcmp(name, "pivot")) {
			a->pivot_name = jt_xstrdup(val);
			for (size_t i = 0; i < ng; i++)
				if (strcmp(a->gname[i], val) == 0)
					a->pivot_g = (long)i;
			if (a->pivot_g < 0)
				jt_die_at(src, rec->line, "pivot column '%s' is not among the partial's groups", jt_show(val, vlen));
		} else if (!strcmp(name, "pivot_order"))
			a->o.pivot_order = jt_xstrdup(val);
		else if (!strcmp(name, "time_buckets")) {
			for (const char *p = val; *p;) {
				char *end;
				unsigned long c = strtoul(p, &end, 10);
				if (end == p || c < 1 || c > ng || (*end && *end != ','))
					jt_die_at(src, rec->line, "bad time_buckets '%s' in partial (group column numbers)",
						  jt_show(val, vlen));
				a->gbucket[c - 1] = 1;
				p = *end ? end + 1 : end;
			}
		}
		else if (!strcmp(name, "map"))	/* applied before the state was made: must only match, */
			jt_buf_adds(&a->maptext, val);	/* and a state of the merge (--history) says it again */
		else if (!strcmp(name, "tz"))
			a->o.tz_name = a->m_tz = jt_xstrdup(val);
		else
			jt_die_at(src, rec->line, "unknown option '%s' in partial", jt_show(name, strlen(name)));
		return;
	}
	if (!strcmp(type, "kpi")) {
		jt_buf_printf(&a->m_opts, "kpi %s=%s\n", name, val);
		if (a->m_defined) {
			a->m_kpi_seen++;
			return;
		}
		size_t cap = a->nk;
		kpi_add_kpi(a, val, &cap);
		struct kpi *k = &a->k[a->nk - 1];
		k->name = jt_xstrdup(name);
		k->duration = k->colname && kpi_ends_with_s(k->colname, strlen(k->colname));
		a->pv = jt_xrealloc(a->pv, a->nk * sizeof *a->pv);
		a->m_kpi_seen++;
		return;
	}
	if (!a->nk)
		jt_die_at(src, rec->line, "partial has no kpi rows before its groups");
	if (!a->m_checked) {	/* its options are all read: they must be the first partial's */
		a->m_checked = 1;
		kpi_check_options(a, src);
	}
	a->m_defined = 1;
	jt_buf_reset(&a->key);
	for (size_t i = 0; i < ng; i++)
		kpi_key_add(&a->key, rec->f[2 + i], rec->len[2 + i]);
	size_t g = kpi_group_id(a, a->key.p ? a->key.p : "", a->key.len);
	if (!strcmp(type, "group"))
		return;
	if (!strcmp(type, "state")) {
		long ki = find_kpi(a, name);
		if (ki < 0)
			jt_die_at(src, rec->line, "state for unknown KPI '%s'", jt_show(name, strlen(name)));
		int m = merge_state(&a->k[ki], &a->st[g * a->nk + (size_t)ki], val, vlen);
		if (m == -2)
			jt_die_at(src, rec->line, "KPI '%s': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)", name);
		if (m != 0)
			jt_die_at(src, rec->line, "bad state '%s' for KPI '%s'", jt_show(val, vlen), name);
		return;
	}
	if (!strcmp(type, "value")) {
		long ki = find_kpi(a, name);
		if (ki < 0 || a->k[ki].kind != K_DISTINCT)
			jt_die_at(src, rec->line, "value row for '%s', which is not a distinct KPI", jt_show(name, strlen(name)));
		int isnew;
		uint32_t gid = (uint32_t)g;
		jt_buf_reset(&a->tmp);
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		jt_buf_add(&a->tmp, val, vlen);
		jt_map_put(&a->k[ki].set, a->tmp.p, a->tmp.len, 0, &isnew);
		a->st[g * a->nk + (size_t)ki].n += (uint64_t)isnew;
		return;
	}
	if (!strcmp(type, "per")) {
		int isnew;
		uint32_t gid = (uint32_t)g;
		jt_buf_reset(&a->tmp);
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		jt_buf_add(&a->tmp, val, vlen);
		jt_map_put(&a->per, a->tmp.p, a->tmp.len, 0, &isnew);
		if (!isnew)
			jt_die_at(src, rec->line,
				  "%s '%s' is counted in the same group by two partials (split the input by %s, e.g. jtouch --shard)",
				  a->per_name ? a->per_name : "per key", jt_show(val, vlen),
				  a->per_name ? a->per_name : "that column");
		return;
	}
	jt_die_at(src, rec->line, "unknown partial row type '%s'", jt_show(type, rec->len[1]));
}


/* ---------- read access: --baseline and --history (lib/baseline.c) ---------- */

size_t jt_agg_nkpi(const struct jt_agg *a)
{
	return a->nk;
}

const char *jt_agg_kpi_name(const struct jt_agg *a, size_t i)
{
	return a->k[i].name;
}

enum jt_test jt_agg_kpi_test(const struct jt_agg *a, size_t i)
{
	switch (a->k[i].kind) {
	case K_NPS: return JT_TEST_NPS;
	case K_CSAT:
	case K_RATE: return JT_TEST_PROP;
	case K_MEAN:
	case K_CES: return JT_TEST_MEAN;
	case K_QUANT: return JT_TEST_QUANT;
	default: return JT_TEST_NONE;
	}
}

int jt_agg_kpi_decimals(const struct jt_agg *a, size_t i)
{
	const struct kpi *k = &a->k[i];
	switch (k->kind) {
	case K_NPS:
	case K_CSAT:
	case K_RATE: return 2;
	case K_MEAN: return k->duration ? 0 : 4;
	case K_CES: return 4;
	case K_COUNT:
	case K_DISTINCT: return 0;
	default: return -1;	/* as the figures have them */
	}
}

size_t jt_agg_ngroupcols(const struct jt_agg *a)
{
	return a->ng;
}

const char *jt_agg_groupcol(const struct jt_agg *a, size_t i, size_t *len)
{
	*len = a->gnlen[i];
	return a->gname[i];
}

size_t jt_agg_ncells(struct jt_agg *a)
{
	jt_agg_finish(a);
	if (a->ng == 0 && a->groups.n == 0 && a->saw_header)
		kpi_group_id(a, "", 0);	/* no -g: one cell */
	return a->groups.n;
}

const char *jt_agg_cell_key(const struct jt_agg *a, size_t g, size_t *len)
{
	*len = a->groups.ent[g].len;
	return a->groups.ent[g].key;
}

void jt_agg_cell_order(const struct jt_agg *a, size_t *ids)
{
	for (size_t g = 0; g < a->groups.n; g++)
		ids[g] = g;
	if (!a->ng)
		return;
	size_t *cols = jt_xmalloc(a->ng * sizeof *cols);
	for (size_t i = 0; i < a->ng; i++)
		cols[i] = i;
	kpi_sort_ids(a, &a->groups, ids, a->groups.n, cols, a->ng, a->gbucket);
	free(cols);
}

void jt_agg_cell(struct jt_agg *a, size_t g, size_t ki, struct jt_cellstat *cs)
{
	struct kst *s = &a->st[g * a->nk + ki];
	fig_t f[8];
	memset(cs, 0, sizeof *cs);
	kpi_figures(&a->k[ki], s, f);
	memcpy(cs->fig, f[0], sizeof cs->fig);
	cs->n = s->n;
	cs->c1 = s->c1;
	cs->c3 = s->c3;
	cs->sum = (long double)s->sum / (long double)JT_DEC_SCALE;
	cs->sumsq = (long double)s->sumsq / ((long double)JT_DEC_SCALE * (long double)JT_DEC_SCALE);
	cs->has_sq = (a->k[ki].kind == K_MEAN || a->k[ki].kind == K_CES) && !s->sq_bad;
}

static void sig_emit(void *ctx, const char *type, const char *name, const char *val, size_t vlen)
{
	struct jt_buf *b = ctx;
	if (!strcmp(type, "kpi"))
		jt_buf_printf(b, "kpi %s=%.*s\n", name, (int)vlen, val);
	else if (strcmp(name, "sort") && strcmp(name, "format"))
		jt_buf_printf(b, "%s=%.*s\n", name, (int)vlen, val);
}

void jt_agg_signature(struct jt_agg *a, struct jt_buf *b)
{
	jt_buf_reset(b);
	if (!a->o.merge)
		emit_head(a, sig_emit, b);
	else if (a->m_have_ref)
		jt_buf_add(b, a->m_ref_opts.p ? a->m_ref_opts.p : "", a->m_ref_opts.len);
	else
		jt_buf_add(b, a->m_opts.p ? a->m_opts.p : "", a->m_opts.len);
}

void jt_agg_set_trend(struct jt_agg *a, const char *(*fn)(void *, const char *, size_t, size_t), void *ctx,
		      const char *note)
{
	a->o.html.trend_note = note;
	a->trend = fn;
	a->trend_ctx = ctx;
}

void jt_agg_write_state(struct jt_agg *a, FILE *fp)
{
	jt_agg_finish(a);
	kpi_write_partial(a, fp);
}
