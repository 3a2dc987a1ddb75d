/* reject.c — rejected rows: counted by reason, shown, kept, and limited. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_reject.h"
#include "jt_time.h"
#include "jt_where.h"

#define SHOW_MAX 5

struct reason {
	char *key;
	uint64_t n;
};

struct jt_rejects {
	const struct jt_common *c;
	uint64_t in, skipped, rejected, headers, filtered;
	uint64_t other;	/* records of other shards, in `in` but not in rows_in */
	int sharded, first;	/* one shard of several; shard 1 */
	int elsewhere;	/* the record being read is another shard's */
	/* each input's counts at its start, and the inputs none of whose rows
	 * was used because every one left was rejected (the first named) */
	uint64_t f_in, f_skipped, f_rejected, f_filtered;
	uint64_t all_rejected;
	char *all_src;
	uint64_t all_n;
	struct reason *rs;
	size_t nrs, rcap;
	FILE *fp;
	struct jt_writer w;
	size_t ncol;
	int opened;
	int whole;	/* inputs of different headers: the record is one column */
	struct jt_buf msg;
	struct { char *name; uint64_t v; } *extra;
	size_t nextra, xcap;
	/* deferred (a part of a file read on another thread): every reject kept
	 * in log, to be replayed in file order by jt_rejects_replay */
	int deferred;
	volatile int *stop;
	struct jt_buf log;
	size_t nlog;
	unsigned long long first_header;	/* line of the first repeated header */
	char *first_header_src;
};

struct jt_rejects *jt_rejects_new(const struct jt_common *c)
{
	struct jt_rejects *rj = jt_xcalloc_own(sizeof *rj);	/* a part's thread counts its rows in it */
	rj->c = c;
	return rj;
}

void jt_rejects_header(struct jt_rejects *rj, const struct jt_header *h)
{
	if (rj->deferred)
		rj->ncol = h->n;
	if (rj->opened || !rj->c->rejects || rj->deferred)
		return;
	rj->opened = 1;
	rj->fp = jt_out_open_side(rj->c->rejects, 1);
	jt_writer_init(&rj->w, rj->fp);
	rj->ncol = h->n;
	if (rj->whole)
		jt_w_str(&rj->w, "record");
	for (size_t i = 0; !rj->whole && i < h->n; i++)
		jt_w_field(&rj->w, h->name[i], h->len[i]);
	jt_w_str(&rj->w, "reject_file");
	jt_w_str(&rj->w, "reject_line");
	jt_w_str(&rj->w, "reject_reason");
	jt_w_end(&rj->w);
}

void jt_rejects_whole_records(struct jt_rejects *rj) { rj->whole = 1; }

void jt_rejects_stat(struct jt_rejects *rj, const char *name, uint64_t v)
{
	void *p = rj->extra;
	jt_xgrow(&p, &rj->xcap, rj->nextra + 1, sizeof *rj->extra);
	rj->extra = p;
	rj->extra[rj->nextra].name = jt_xstrdup(name);
	rj->extra[rj->nextra++].v = v;
}

void jt_rows_in(struct jt_rejects *rj)
{
	rj->in++;
	rj->elsewhere = 0;
}

void jt_rows_skipped(struct jt_rejects *rj)
{
	if (!rj->elsewhere)
		rj->skipped++;
}

void jt_rejects_shard(struct jt_rejects *rj, int first)
{
	rj->sharded = 1;
	rj->first = first;
}

void jt_row_elsewhere(struct jt_rejects *rj)
{
	if (rj->sharded && !rj->elsewhere) {
		rj->elsewhere = 1;
		rj->other++;
	}
}

void jt_row_unowned(struct jt_rejects *rj)
{
	if (!rj->first)
		jt_row_elsewhere(rj);
}

void jt_header_repeated(struct jt_rejects *rj, const char *src, unsigned long long line)
{
	if (rj->deferred) {
		if (rj->headers++ == 0) {
			rj->first_header = line;
			rj->first_header_src = jt_xstrdup(src);
		}
		return;
	}
	if (rj->headers++ == 0)
		jt_warn("%s:%llu: the header again, skipped (exports joined with cat?); --stats counts every one as "
			"headers_skipped", src, line);
}

void jt_rows_filtered(struct jt_rejects *rj)
{
	if (!rj->elsewhere)
		rj->filtered++;
}

void jt_rejects_file_begin(struct jt_rejects *rj)
{
	rj->f_in = rj->in;
	rj->f_skipped = rj->skipped;
	rj->f_rejected = rj->rejected;
	rj->f_filtered = rj->filtered;
}

void jt_rejects_file_end(struct jt_rejects *rj, const char *src)
{
	uint64_t rejected = rj->rejected - rj->f_rejected;
	/* rows of other shards count as used: a shard alone sees no export's change */
	uint64_t left = (rj->in - rj->f_in) - (rj->skipped - rj->f_skipped) - (rj->filtered - rj->f_filtered);
	if (rejected == 0 || rejected != left)
		return;
	if (rj->all_rejected++ == 0) {
		rj->all_src = jt_xstrdup(src);
		rj->all_n = rejected;
	}
}
uint64_t jt_rejected(const struct jt_rejects *rj) { return rj->rejected; }
uint64_t jt_rows_read(const struct jt_rejects *rj) { return rj->in; }

static void log_reject(struct jt_rejects *rj, const char *src, const struct jt_record *rec, const char *key);
static void apply(struct jt_rejects *rj, const char *src, unsigned long long line, const char *key,
		  const char *const *f, const size_t *len, size_t nf);
int jt_reject_silent(const struct jt_rejects *rj)
{
	return rj && !rj->deferred && !rj->c->strict && !rj->fp && !rj->c->rejects &&
	       (rj->rejected >= SHOW_MAX || jt_quiet());
}

static void count_key(struct jt_rejects *rj, const char *key)
{
	size_t i;
	for (i = 0; i < rj->nrs; i++)
		if (strcmp(rj->rs[i].key, key) == 0)
			break;
	if (i == rj->nrs) {
		void *p = rj->rs;
		jt_xgrow(&p, &rj->rcap, rj->nrs + 1, sizeof *rj->rs);
		rj->rs = p;
		rj->rs[i].key = jt_xstrdup(key);
		rj->rs[i].n = 0;
		rj->nrs++;
	}
	rj->rs[i].n++;
}

void jt_reject_count(struct jt_rejects *rj, const char *key)
{
	if (rj->elsewhere)	/* another shard's row: as jt_reject */
		return;
	rj->rejected++;
	count_key(rj, key);
}

void jt_reject(struct jt_rejects *rj, const char *src, const struct jt_record *rec, const char *key,
	       const char *fmt, ...)
{
	va_list ap;

	if (!rj) {	/* a read without a rejects path (jkpi --attach): the row stops it */
		struct jt_buf m = JT_BUF_INIT;
		va_start(ap, fmt);
		jt_buf_vprintf(&m, fmt, ap);
		va_end(ap);
		jt_die_at(src, rec->line, "%s: %s", key, m.p);
	}
	if (rj->elsewhere)
		return;
	jt_buf_reset(&rj->msg);
	va_start(ap, fmt);
	jt_buf_vprintf(&rj->msg, fmt, ap);
	va_end(ap);
	jt_clean(&rj->msg);	/* one line of UTF-8, on stderr and in the rejects file */
	if (rj->deferred)
		log_reject(rj, src, rec, key);
	else
		apply(rj, src, rec->line, key, rec->f, rec->len, rec->n);
}

static void log_u64(struct jt_buf *b, uint64_t v) { jt_buf_add(b, &v, sizeof v); }
static void log_str(struct jt_buf *b, const char *s, size_t n)
{
	log_u64(b, n);
	jt_buf_add(b, s, n);
}

/* A part's reject, kept for jt_rejects_replay: the message now (the record is
 * gone after the callback), the fields only when a rejects file wants them. */
static void log_reject(struct jt_rejects *rj, const char *src, const struct jt_record *rec, const char *key)
{
	rj->rejected++;
	rj->nlog++;
	log_u64(&rj->log, rec->line);
	log_str(&rj->log, src, strlen(src));
	log_str(&rj->log, key, strlen(key));
	log_str(&rj->log, rj->msg.p, rj->msg.len);
	size_t n = rj->c->rejects ? rec->n : 0;
	log_u64(&rj->log, n);
	for (size_t i = 0; i < n; i++)
		log_str(&rj->log, rec->f[i], rec->len[i]);
	if (rj->c->strict && rj->stop)
		*rj->stop = 1;	/* the first one ends the part; the replay stops the run */
}

/* A reject counted, shown and written; its message is in rj->msg. */
static void apply(struct jt_rejects *rj, const char *src, unsigned long long line, const char *key,
		  const char *const *f, const size_t *len, size_t nf)
{
	size_t i;
	rj->rejected++;
	if (rj->c->strict)
		jt_die_at(src, line, "%s", rj->msg.p);
	count_key(rj, key);
	if (rj->rejected <= SHOW_MAX && !jt_quiet()) {
		struct jt_buf m = JT_BUF_INIT;
		jt_buf_printf(&m, "%s:%llu: ", src, line);
		jt_clean(&m);
		fflush(stdout);
		fprintf(stderr, "%s: %s%s\n", jt_progname(), m.p, rj->msg.p);
		jt_buf_free(&m);
	}
	if (rj->fp && rj->whole) {
		struct jt_buf rl = JT_BUF_INIT;
		for (i = 0; i < nf; i++) {
			if (i)
				jt_buf_addc(&rl, ',');
			jt_csv_quote(&rl, f[i], len[i], ',');
		}
		jt_w_field(&rj->w, rl.p ? rl.p : "", rl.len);
		jt_buf_free(&rl);
	} else if (rj->fp) {
		size_t n = nf < rj->ncol ? nf : rj->ncol;
		for (i = 0; i < n; i++)
			jt_w_field(&rj->w, f[i], len[i]);
		for (; i < rj->ncol; i++)
			jt_w_field(&rj->w, "", 0);
		if (nf > rj->ncol) {
			/* nothing is dropped: the extra fields ride in the reason */
			struct jt_buf extra = JT_BUF_INIT;
			for (i = rj->ncol; i < nf; i++) {
				jt_buf_adds(&extra, i == rj->ncol ? "; extra fields: " : ",");
				jt_csv_quote(&extra, f[i], len[i], ',');
			}
			jt_buf_add(&rj->msg, extra.p, extra.len);
			jt_buf_free(&extra);
		}
	}
	if (rj->fp) {
		jt_w_str(&rj->w, src);
		char ln[32];
		snprintf(ln, sizeof ln, "%llu", line);
		jt_w_str(&rj->w, ln);
		jt_w_field(&rj->w, rj->msg.p, rj->msg.len);
		jt_w_end(&rj->w);
	}
}

struct jt_rejects *jt_rejects_deferred(const struct jt_common *c, volatile int *stop)
{
	struct jt_rejects *rj = jt_rejects_new(c);
	rj->deferred = 1;
	rj->stop = stop;
	return rj;
}

static uint64_t rd_u64(const char **p)
{
	uint64_t v;
	memcpy(&v, *p, sizeof v);
	*p += sizeof v;
	return v;
}

static const char *rd_str(const char **p, size_t *n)
{
	*n = (size_t)rd_u64(p);
	const char *s = *p;
	*p += *n;
	return s;
}

void jt_rejects_replay(struct jt_rejects *rj, struct jt_rejects *part, unsigned long long base)
{
	const char *p = part->log.p;
	const char **f = NULL;
	size_t *len = NULL, cap = 0;
	char key[256], *src = NULL;
	for (size_t k = 0; k < part->nlog; k++) {
		unsigned long long line = rd_u64(&p) + base - 1;
		size_t n;
		const char *s = rd_str(&p, &n);
		free(src);
		src = jt_xmemdup(s, n);
		s = rd_str(&p, &n);
		snprintf(key, sizeof key, "%.*s", (int)n, s);
		s = rd_str(&p, &n);
		jt_buf_reset(&rj->msg);
		jt_buf_add(&rj->msg, s, n);
		size_t nf = (size_t)rd_u64(&p);
		if (nf > cap) {
			cap = nf;
			f = jt_xrealloc(f, cap * sizeof *f);
			len = jt_xrealloc(len, cap * sizeof *len);
		}
		for (size_t i = 0; i < nf; i++)
			f[i] = rd_str(&p, &len[i]);
		apply(rj, src, line, key, f, len, nf);
	}
	free(src);
	free(f);
	free(len);
	rj->in += part->in;
	rj->skipped += part->skipped;
	rj->filtered += part->filtered;
	if (part->headers && rj->headers == 0)
		jt_warn("%s:%llu: the header again, skipped (exports joined with cat?); --stats counts every one as "
			"headers_skipped", part->first_header_src,
			part->first_header + base - 1);
	rj->headers += part->headers;
}

/* [+-]DIGITS,DIGITS: what --decimal-comma reads. */
static int decimal_comma(const char *s, size_t n)
{
	size_t i = n && (s[0] == '+' || s[0] == '-'), a = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == a || i + 1 >= n || s[i] != ',')
		return 0;
	for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	return i == n;
}

/* 1,234 or 1.234,5 or 1 234: digits grouped as people write them, not as we read them. */
static int looks_grouped(const char *s, size_t n)
{
	int comma = 0, digit = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			digit = 1;
		else if (c == ',' || c == ' ' || c == '\'')
			comma |= digit && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9';
		else if (c != '.' && c != '+' && c != '-')
			return 0;
	}
	return comma;
}

void jt_reject_number(struct jt_rejects *rj, const char *src, const struct jt_record *rec, const char *col,
		      const char *what, const char *s, size_t n, int rc, const char *range)
{
	const char *sp = what ? " " : "", *w = what ? what : "", *v = jt_show(s, n);
	switch (rc) {
	case JT_NUM_SYNTAX:
		jt_reject(rj, src, rec, "not a number", "column '%s': %s%s'%s' is not a number%s", col, w, sp, v,
			  decimal_comma(s, n) ? " (a decimal comma? --decimal-comma reads it; no thousands separators)" :
			  looks_grouped(s, n) ? " (use '.' for decimals and no thousands separators)" : "");
		return;
	case JT_NUM_FRACTION:
		jt_reject(rj, src, rec, "out of range", "column '%s': %s%s'%s' is not a whole number%s%s", col, w, sp,
			  v, range ? " " : "", range ? range : "");
		return;
	case JT_NUM_OUTSIDE:
	case JT_NUM_RANGE:
	default:
		if (range)
			jt_reject(rj, src, rec, "out of range", "column '%s': %s%s'%s' is not %s", col, w, sp, v, range);
		else
			jt_reject(rj, src, rec, "out of range", "column '%s': %s%s'%s' is out of range (|x| < 1e20)", col,
				  w, sp, v);
		return;
	}
}

static int cmp_reason(const void *a, const void *b)
{
	return strcmp(((const struct reason *)a)->key, ((const struct reason *)b)->key);
}

int jt_rejects_finish(struct jt_rejects *rj, long long rows_out)
{
	const struct jt_common *c = rj->c;
	uint64_t in = rj->in - rj->other;
	uint64_t out = rows_out < 0 ? in - rj->skipped - rj->filtered - rj->rejected : (uint64_t)rows_out;
	int over = 0;

	if (rj->nrs > 1)
		qsort(rj->rs, rj->nrs, sizeof *rj->rs, cmp_reason);
	/* -q: the counts are in --stats and the rows in --rejects; with neither,
	 * the one line still prints, so that no row vanishes without a word */
	if (rj->rejected && (!jt_quiet() || (!c->rejects && !c->stats))) {
		struct jt_buf b = JT_BUF_INIT;
		jt_buf_printf(&b, "%llu row%s rejected (", (unsigned long long)rj->rejected,
			      rj->rejected == 1 ? "" : "s");
		for (size_t i = 0; i < rj->nrs; i++)
			jt_buf_printf(&b, "%s%llu %s", i ? ", " : "", (unsigned long long)rj->rs[i].n,
				      rj->rs[i].key);
		jt_buf_adds(&b, ")");
		if (c->rejects)
			jt_buf_printf(&b, " (see %s)", c->rejects);
		else
			jt_buf_adds(&b, " (use --rejects FILE to keep them)");
		jt_note("%s", b.p);
		jt_buf_free(&b);
	}
	if (c->max_mode == 1 && rj->rejected > c->max_n) {
		jt_note("%llu rows rejected, more than --max-rejects %llu", (unsigned long long)rj->rejected,
			(unsigned long long)c->max_n);
		over = 1;
	} else if (c->max_mode == 2 && in > 0 && (double)rj->rejected * 100.0 > c->max_pct * (double)in) {
		jt_note("%.2f%% of rows rejected, more than --max-rejects %g%%", (double)rj->rejected * 100.0 / (double)in,
			c->max_pct);
		over = 1;
	}
	/* an input of which nothing was used, every row rejected: a changed
	 * export (another delimiter, decimal commas) must not pass as an empty
	 * report. An explicit --max-rejects says what is allowed instead. */
	if (c->max_mode == 0 && rj->all_rejected) {
		struct jt_buf b = JT_BUF_INIT;
		if (rj->all_rejected > 1)
			jt_buf_printf(&b, " (and %llu more input%s)", (unsigned long long)(rj->all_rejected - 1),
				      rj->all_rejected == 2 ? "" : "s");
		/* the name in full, as in "file:line:" (jt_note escapes it): a cut
		 * one may not say which of a night's inputs failed */
		jt_note("%s: no row was used, %llu rejected%s (--max-rejects 100%% allows it)", rj->all_src,
			(unsigned long long)rj->all_n, b.p ? b.p : "");
		jt_buf_free(&b);
		over = 1;
	}
	if (c->rejects) {
		if (!rj->opened) {	/* empty input: still leave a (empty) file for the cron job */
			rj->opened = 1;
			rj->fp = jt_out_open_side(c->rejects, 1);
		}
		jt_out_commit_side(rj->fp);
		rj->fp = NULL;
	}
	if (c->stats) {
		FILE *fp = jt_out_open_side(c->stats, 1);
		fprintf(fp, "metric,value\nprogram,%s\nrows_in,%llu\nrows_out,%llu\nrows_skipped,%llu\nrows_filtered,%llu\n"
			"rows_rejected,%llu\nheaders_skipped,%llu\n",
			jt_progname(), (unsigned long long)in, (unsigned long long)out,
			(unsigned long long)rj->skipped, (unsigned long long)rj->filtered, (unsigned long long)rj->rejected,
			(unsigned long long)rj->headers);
		for (size_t i = 0; i < rj->nextra; i++)
			fprintf(fp, "%s,%llu\n", rj->extra[i].name, (unsigned long long)rj->extra[i].v);
		for (size_t i = 0; i < rj->nrs; i++) {
			struct jt_writer w;
			struct jt_buf k = JT_BUF_INIT;
			jt_writer_init(&w, fp);
			jt_buf_printf(&k, "rejected:%s", rj->rs[i].key);
			jt_w_field(&w, k.p, k.len);
			char num[32];
			snprintf(num, sizeof num, "%llu", (unsigned long long)rj->rs[i].n);
			jt_w_str(&w, num);
			jt_w_end(&w);
			jt_buf_free(&k);
		}
		jt_out_commit_side(fp);
	}
	return over;
}

void jt_rejects_free(struct jt_rejects *rj)
{
	if (!rj)
		return;
	for (size_t i = 0; i < rj->nrs; i++)
		free(rj->rs[i].key);
	free(rj->rs);
	for (size_t i = 0; i < rj->nextra; i++)
		free(rj->extra[i].name);
	free(rj->extra);
	jt_buf_free(&rj->msg);
	jt_buf_free(&rj->log);
	free(rj->first_header_src);
	free(rj->all_src);
	free(rj);
}

void jt_timefilter_bind(struct jt_timefilter *tf, const struct jt_common *c, const struct jt_header *h,
			const char *src)
{
	if (c->where)
		jt_where_bind(c->where, h, src);
	tf->active = c->has_since || c->has_until;
	if (tf->active)
		tf->col = jt_col_by_name(h, "time", src);
}

/* --where and --since/--until, off the hot path of a run with neither. */
static __attribute__((noinline)) int keep_slow(const struct jt_timefilter *tf, const struct jt_common *c,
					       struct jt_rejects *rj, const char *src, const struct jt_record *rec)
{
	int64_t t;
	if (c->where && !jt_where_match(c->where, src, rec)) {
		jt_rows_filtered(rj);
		return 0;
	}
	if (!tf->active)
		return 1;
	const char *s = rec->f[tf->col];
	size_t n = rec->len[tf->col];
	if (n == 0) {
		jt_reject(rj, src, rec, "bad time", "column 'time': empty (needed by --since/--until)");
		return -1;
	}
	if (jt_time_parse(s, n, &t) != 0) {
		jt_reject(rj, src, rec, "bad time", "column 'time': '%s' is not a time", s);
		return -1;
	}
	if ((c->has_since && t < c->since) || (c->has_until && t >= c->until)) {
		jt_rows_skipped(rj);
		return 0;
	}
	return 1;
}

int jt_timefilter_keep(const struct jt_timefilter *tf, const struct jt_common *c, struct jt_rejects *rj,
		       const char *src, const struct jt_record *rec)
{
	if (!tf->active && !c->where)
		return 1;
	return keep_slow(tf, c, rj, src, rec);
}
