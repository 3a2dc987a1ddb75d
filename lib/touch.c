/* touch.c — jtouch: configurations from settings and profiles, lookups, and
 * the per-row work that turns an export row into touches. Nothing is
 * allocated per row: fields are borrowed, derived values live in fixed
 * buffers of the plan. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_paths.h"
#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_profile.h"
#include "jt_reject.h"
#include "jt_time.h"
#include "jt_touch.h"
#include "jt_tz.h"
#include "jt_where.h"

#define MAXTOUCH 64

/* ---- settings in command-line order ---------------------------------- */

struct ent {
	int is_profile;
	char *opt;	/* where it came from, for messages */
	char *key, *args;	/* setting; or args = profile text, key = its path */
	char *pname;	/* profile name */
};

struct input {
	char *path;
	size_t upto;	/* entries in effect */
};

/* ---- lookups ---------------------------------------------------------- */

struct lookup_tab {
	char *file, *key;
	struct jt_header *h;
	size_t keycol;
	struct jt_map map;	/* key -> row */
	const char **f;	/* nrow * h->n borrowed from the arena */
	size_t *len;
	size_t nrow, cap;
	uint64_t dups;
	struct jt_arena ar;
};

/* ---- a configuration bound to one input's header ---------------------- */

struct vcol {	/* a column of the virtual row: the input's, or a lookup's */
	int lk;	/* -1 input, else index into plan lookups */
	int dup;	/* the input has two columns of this name: naming it is an error */
	size_t idx;
};

/* The ways to read one time column, tried in order. */
struct rlist {
	struct jt_timefmt *r;
	size_t n;
	int plain;	/* one of auto, epoch, epoch_ms: messages need not list it */
	char *tried;	/* "auto, %d-%m-%Y" for messages */
};

struct ptouch {
	const char *tp;	/* constant touchpoint, or NULL */
	size_t tplen;
	long tpcol;	/* vcol of {COL}, -1 */
	long timecol;	/* -1: column absent (optional) */
	const struct rlist *rd;
	long custcol;	/* -1: the row's customer */
	const char *custname;
};

enum mkind { MK_PLAIN, MK_DURATION };

struct pmeasure {
	const struct jt_pmeasure *spec;
	size_t out;	/* output column */
	long a, b;	/* vcols, -1 absent */
	const struct rlist *ra, *rb;
	size_t on;	/* touch index */
	enum mkind kind;
	int integer;
	int has_lo, has_hi;
	jt_i128 lo, hi;
	char buf[64];
	const char *val;
	size_t vlen;
	uint64_t negative;	/* on rows that were written */
	int neg_row;	/* this row's value was negative */
};

struct pcarry {
	size_t out;
	long col;
	uint64_t on;	/* touches it rides on (bit k: touch k); 0: every touch */
};

struct plan {
	struct jt_profile cfg;
	const char *source;
	size_t srclen, chanlen;
	uint64_t safe;	/* output fields that never need quoting: time, a plain source */
	struct jt_dialect dialect;
	struct jt_tz *tz;
	struct jt_timefmt tf;	/* date order, zone, month names, %Z zones */
	struct jt_zones zones;
	struct rlist *rl;	/* per time_format entry of cfg, then the default */
	size_t nrl;
	struct jt_where *where;	/* the profile's where lines and --where, NULL: none */
	int bound;
	/* bound to a header: */
	struct jt_header vh;	/* virtual header: input columns, then lookup columns */
	struct jt_map vidx;	/* name -> vh index (a 100,000-column header binds in linear time) */
	const struct jt_header *inh;	/* while binding: the input header, for messages */
	const char *insrc;
	size_t vcap;
	struct vcol *vc;
	const struct jt_pmap **vmap;	/* per vcol, NULL = no map */
	struct lookup_tab **lk;
	long *lkrow;	/* key vcol per lookup */
	long *lkmatch;	/* per row: matched row per lookup */
	size_t nlk;
	long *cust;	/* customer alias vcols (first present) */
	long custcol;
	long custlk;	/* the lookup the customer column comes from, -1 the input's */
	const char *custname;
	int split;	/* a touch has its own customer (customer=COL) */
	struct ptouch *touch;
	size_t ntouch;
	struct pmeasure *meas;
	size_t nmeas;
	struct pcarry *carry;
	size_t ncarry;
	long chancol;
	long refcol;
	uint64_t rowbase;	/* records of the same source in earlier files */
};

struct jt_touchrun {
	const struct jt_touchopts *op;	/* the caller's, filled while options are parsed */
	struct jt_touchopts o;	/* copied at jt_touch_run */
	struct ent *ent;
	size_t nent, ecap;
	struct input *in;
	size_t nin, icap;
	struct plan *plans;	/* one per input (or one for stdin) */
	size_t nplan;
	struct lookup_tab **tabs;
	size_t ntab;
	char **cols;	/* output header */
	size_t ncol;
	struct jt_rejects *rj;
	struct jt_writer w;
	const char **of;
	size_t *olen;
	struct jt_map dedup;
	struct jt_map rowids;	/* sources seen, for @row numbers */
	struct jt_map absent;	/* optional columns said to be absent */
	struct jt_buf absent_now;	/* the ones of the header being bound */
	size_t nabsent_now;
	uint64_t *rowbase_of;	/* per source: records read so far */
	struct jt_buf key, cbuf, tcbuf, rowbuf;
	uint64_t rows_out, rows_notime, rows_filtered, touches, dup, filtered, dropped;
	uint64_t rows_where;	/* left out by where / --where */
	struct plan *cur;
	int header_done;
};

struct jt_touchrun *jt_touch_new(const struct jt_touchopts *o)
{
	struct jt_touchrun *r = jt_xcalloc(1, sizeof *r);
	r->op = o;
	r->o = *o;
	return r;
}

static void add_ent(struct jt_touchrun *r, int is_profile, const char *opt, const char *key, const char *args,
		    const char *pname)
{
	void *p = r->ent;
	jt_xgrow(&p, &r->ecap, r->nent + 1, sizeof *r->ent);
	r->ent = p;
	struct ent *e = &r->ent[r->nent++];
	e->is_profile = is_profile;
	e->opt = jt_xstrdup(opt);
	e->key = jt_xstrdup(key);
	e->args = jt_xstrdup(args);
	e->pname = pname ? jt_xstrdup(pname) : NULL;
}

void jt_touch_setting(struct jt_touchrun *r, const char *opt, const char *key, const char *args)
{
	struct jt_profile scratch;
	char err[512];
	size_t col;
	jt_profile_init(&scratch);
	if (jt_profile_set(&scratch, key, args, err, sizeof err, &col) != 0)
		jt_usage_error("%s '%s': %s", opt, jt_show(args, strlen(args)), err);
	jt_profile_free(&scratch);
	add_ent(r, 0, opt, key, args, NULL);
}

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	char *buf = jt_xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)k;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.profile files of DATADIR/profiles, sorted; *n = -1 when the folder cannot be read. */
static char **profile_names(char *dir, size_t dirlen, size_t *n)
{
	snprintf(dir, dirlen, "%s/profiles", jt_datadir());
	DIR *d = opendir(dir);
	char **names = NULL;
	struct dirent *de;
	*n = 0;
	if (!d) {
		*n = (size_t)-1;
		return NULL;
	}
	while ((de = readdir(d))) {
		size_t k = strlen(de->d_name);
		if (k > 8 && strcmp(de->d_name + k - 8, ".profile") == 0) {
			names = jt_xrealloc(names, (*n + 1) * sizeof *names);
			names[(*n)++] = jt_xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_str);
	return names;
}

static char *profile_path(const char *name)
{
	struct jt_buf b = JT_BUF_INIT;
	if (strchr(name, '/') || (strlen(name) > 8 && strcmp(name + strlen(name) - 8, ".profile") == 0)) {
		jt_buf_adds(&b, name);
		return b.p;
	}
	jt_buf_printf(&b, "%s/profiles/%s.profile", jt_datadir(), name);
	return b.p;
}

static char *profile_name(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	size_t n = strlen(base);
	if (n > 8 && strcmp(base + n - 8, ".profile") == 0)
		n -= 8;
	return jt_xmemdup(base, n);
}

void jt_touch_profile(struct jt_touchrun *r, const char *name)
{
	char *path = profile_path(name);
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text) {
		if (strchr(name, '/') || strstr(name, ".profile")) {
			const char *why = errno == EINVAL ? "not a regular file of at most 1 MiB" : strerror(errno);
			char shown[4096];
			snprintf(shown, sizeof shown, "%s", path);
			free(path);
			jt_usage_error("-p %s: cannot read profile %s: %s", name, shown, why);
		}
		free(path);
		struct jt_buf b = JT_BUF_INIT;
		char dir[4096];
		size_t n;
		char **names = profile_names(dir, sizeof dir, &n);
		if (n == (size_t)-1)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			jt_buf_printf(&b, "%s%.*s", b.len ? ", " : "", (int)(strlen(names[i]) - 8), names[i]);
			free(names[i]);
		}
		free(names);
		char list[4096];
		snprintf(list, sizeof list, "%s", b.len ? b.p : "none");
		jt_buf_free(&b);
		jt_usage_error("-p %s: no such profile (shipped in %s: %s; or give a file path)", name, dir, list);
	}
	struct jt_profile scratch;
	char err[512];
	unsigned line;
	size_t col;
	jt_profile_init(&scratch);
	if (jt_profile_parse(&scratch, text, len, err, sizeof err, &line, &col) != 0) {
		char shown[4096];
		snprintf(shown, sizeof shown, "%s", path);
		free(path);
		free(text);
		jt_profile_free(&scratch);
		jt_usage_error("%s:%u:%zu: %s", shown, line, col, err);
	}
	jt_profile_free(&scratch);
	jt_path_config("profile", path);
	char *pname = profile_name(name);
	add_ent(r, 1, "-p", path, text, pname);
	free(pname);
	free(text);
	free(path);
}

void jt_touch_input(struct jt_touchrun *r, const char *path)
{
	void *p = r->in;
	jt_xgrow(&p, &r->icap, r->nin + 1, sizeof *r->in);
	r->in = p;
	r->in[r->nin].path = jt_xstrdup(path);
	r->in[r->nin++].upto = r->nent;
}

/* ---- building configurations ----------------------------------------- */

static void replay(struct jt_profile *p, const struct ent *e)
{
	char err[512];
	size_t col;
	unsigned line;
	if (e->is_profile) {
		free(p->name);
		p->name = jt_xstrdup(e->pname);
		if (jt_profile_parse(p, e->args, strlen(e->args), err, sizeof err, &line, &col) != 0)
			jt_usage_error("%s:%u:%zu: %s", e->key, line, col, err);
	} else if (jt_profile_set(p, e->key, e->args, err, sizeof err, &col) != 0) {
		jt_usage_error("%s '%s': %s", e->opt, jt_show(e->args, strlen(e->args)), err);
	}
}

static void build(struct jt_touchrun *r, struct plan *pl, size_t upto, const char *path)
{
	size_t lastp = r->nent, fp;
	memset(pl, 0, sizeof *pl);
	jt_profile_init(&pl->cfg);
	for (size_t i = 0; i < upto; i++)
		if (r->ent[i].is_profile)
			lastp = i;
	for (fp = 0; fp < r->nent && !r->ent[fp].is_profile; fp++)
		;
	/* the base (before the first -p), then the last -p and what follows it */
	for (size_t i = 0; i < upto; i++)
		if (i < fp || (lastp < r->nent && i >= lastp))
			replay(&pl->cfg, &r->ent[i]);
	struct jt_profile *c = &pl->cfg;
	const char *where = c->name ? c->name : "the command line";
	if (!c->source) {
		if (c->name) {
			c->source = jt_xstrdup(c->name);
		} else {
			const char *b = path && strcmp(path, "-") ? strrchr(path, '/') : NULL;
			b = b ? b + 1 : path && strcmp(path, "-") ? path : "stdin";
			const char *dot = strchr(b, '.');
			c->source = jt_xmemdup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
		}
	}
	pl->source = c->source;
	pl->srclen = strlen(c->source);
	pl->safe = (uint64_t)1 << 1;
	if (!strpbrk(c->source, ",\"\r\n\t ;|"))	/* labels have no blanks; any delimiter-ish byte: check */
		pl->safe |= (uint64_t)1 << 3;
	pl->chanlen = c->channel_const ? strlen(c->channel_const) : 0;
	if (c->ntouch > MAXTOUCH)
		jt_usage_error("%s: more than %d touches per row", where, MAXTOUCH);
	if (!c->ntouch)
		jt_usage_error("%s: no touch to emit (give -p NAME, or --touch 'TOUCHPOINT TIME_COLUMN')", where);
	if (!c->ncustomer && !c->customer_row)
		jt_usage_error("%s: no customer column (give -p NAME, or --customer COLUMN)", where);
	for (size_t i = 0; i < c->nmeasure; i++) {
		const char *on = c->measure[i].on;
		size_t k;
		for (k = 0; on && k < c->ntouch; k++)
			if (c->touch[k].touchpoint && strcmp(c->touch[k].touchpoint, on) == 0)
				break;
		if (on && k == c->ntouch) {
			struct jt_buf b = JT_BUF_INIT;
			for (k = 0; k < c->ntouch; k++)
				if (c->touch[k].touchpoint)
					jt_buf_printf(&b, "%s%s", b.len ? ", " : "", c->touch[k].touchpoint);
			jt_usage_error("%s: measure %s rides on '%s', which is not a touch here (touches: %s)", where,
				       c->measure[i].name, on, b.len ? b.p : "none named");
		}
		for (k = 0; k < c->ncarry; k++)
			if (strcmp(c->carry[k].out, c->measure[i].name) == 0)
				jt_usage_error("%s: '%s' is both a measure and a carried column", where,
					       c->carry[k].out);
	}
	for (size_t i = 0; i < c->ncarry; i++)
		for (size_t o = 0; o < c->carry[i].non; o++) {
			const char *on = c->carry[i].on[o];
			size_t k;
			for (k = 0; k < c->ntouch; k++)
				if (c->touch[k].touchpoint && strcmp(c->touch[k].touchpoint, on) == 0)
					break;
			if (k < c->ntouch)
				continue;
			struct jt_buf b = JT_BUF_INIT;
			for (k = 0; k < c->ntouch; k++)
				if (c->touch[k].touchpoint)
					jt_buf_printf(&b, "%s%s", b.len ? ", " : "", c->touch[k].touchpoint);
			jt_usage_error("%s: carried column %s rides on '%s', which is not a touch here (touches: %s)", where,
				       c->carry[i].out, on, b.len ? b.p : "none named");
		}
	pl->dialect = r->o.c->dialect;
	if (c->delim)
		pl->dialect.delim = c->delim;
	pl->dialect.delim_auto = c->delim_auto;
	if (c->encoding)
		pl->dialect.encoding = c->encoding;
	pl->dialect.decimal_comma = c->decimal_comma;
	for (size_t i = 0; i < c->nwhere; i++) {
		char err[512];
		if (!pl->where)
			pl->where = jt_where_new();
		if (jt_where_add(pl->where, c->where[i], err, sizeof err) != 0)	/* checked when set */
			jt_usage_error("where '%s': %s", jt_show(c->where[i], strlen(c->where[i])), err);
	}
	if (c->tz && strcmp(c->tz, "UTC") != 0) {
		char err[512];
		pl->tz = jt_tz_load(c->tz, err, sizeof err);
		if (!pl->tz)
			jt_usage_error("--tz: %s", err);
	}
	pl->tf.kind = JT_TIME_AUTO;
	pl->tf.order = c->order;
	pl->tf.tz = pl->tz;
	pl->tf.months = c->months;
	pl->tf.zones = &pl->zones;
	/* one reader list per time_format entry, and the last one for columns no
	 * entry names: the entry for every column, else auto */
	pl->nrl = c->ntimefmt + 1;
	pl->rl = jt_xcalloc(pl->nrl, sizeof *pl->rl);
	for (size_t i = 0; i < pl->nrl; i++) {
		struct rlist *l = &pl->rl[i];
		const struct jt_ptimefmt *e = i < c->ntimefmt ? &c->timefmt[i] : NULL;
		for (size_t k = 0; !e && k < c->ntimefmt; k++)
			if (!c->timefmt[k].col)
				e = &c->timefmt[k];
		size_t n = e ? e->nr : 1;
		struct jt_buf b = JT_BUF_INIT;
		l->r = jt_xcalloc(n, sizeof *l->r);
		l->n = n;
		l->plain = n == 1 && (!e || e->r[0].kind != JT_TIME_FORMAT);
		for (size_t k = 0; k < n; k++) {
			char why[256];
			l->r[k] = pl->tf;
			l->r[k].kind = e ? e->r[k].kind : JT_TIME_AUTO;
			if (l->r[k].kind == JT_TIME_FORMAT &&
			    !(l->r[k].fmt = jt_tfmt_compile(e->r[k].fmt, why, sizeof why)))
				jt_usage_error("%s: time format '%s': %s", where, e->r[k].fmt, why);	/* checked before */
			static const char *const kn[] = { "auto", "epoch", "epoch_ms" };
			if (l->r[k].kind == JT_TIME_FORMAT)
				jt_buf_printf(&b, "%s'%s'", k ? ", " : "", e->r[k].fmt);
			else
				jt_buf_printf(&b, "%s%s", k ? ", " : "", kn[l->r[k].kind]);
		}
		l->tried = b.p;
	}
}

static void add_col(struct jt_touchrun *r, const char *name)
{
	for (size_t i = 0; i < r->ncol; i++)
		if (strcmp(r->cols[i], name) == 0)
			return;
	r->cols = jt_xrealloc(r->cols, (r->ncol + 1) * sizeof *r->cols);
	r->cols[r->ncol++] = jt_xstrdup(name);
}

static size_t out_index(const struct jt_touchrun *r, const char *name)
{
	for (size_t i = 0; i < r->ncol; i++)
		if (strcmp(r->cols[i], name) == 0)
			return i;
	return 0;
}

/* ---- lookup tables ---------------------------------------------------- */

struct lkload {
	struct lookup_tab *t;
	const char *src;
};

static void lk_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct lkload *l = ctx;
	l->t->h = jt_header_copy(h);
	l->t->keycol = jt_col_by_name(h, l->t->key, src);
}

static void lk_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct lookup_tab *t = ((struct lkload *)ctx)->t;
	int isnew;
	(void)src;
	if (t->nrow >= UINT32_MAX - 1)
		jt_die_at(src, rec->line, "lookup table has too many rows");
	jt_map_put(&t->map, rec->f[t->keycol], rec->len[t->keycol], (uint32_t)t->nrow, &isnew);
	if (!isnew) {
		t->dups++;
		return;
	}
	size_t n = t->h->n;
	if (t->nrow + 1 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->f = jt_xrealloc(t->f, t->cap * n * sizeof *t->f);
		t->len = jt_xrealloc(t->len, t->cap * n * sizeof *t->len);
	}
	for (size_t i = 0; i < n; i++) {
		t->f[t->nrow * n + i] = jt_arena_dup(&t->ar, rec->f[i], rec->len[i]);
		t->len[t->nrow * n + i] = rec->len[i];
	}
	t->nrow++;
}

static struct lookup_tab *load_lookup(struct jt_touchrun *r, const struct jt_plookup *l)
{
	for (size_t i = 0; i < r->ntab; i++)
		if (strcmp(r->tabs[i]->file, l->file) == 0 && strcmp(r->tabs[i]->key, l->key) == 0)
			return r->tabs[i];
	FILE *probe = strcmp(l->file, "-") ? fopen(l->file, "r") : NULL;
	if (!probe)
		jt_die("lookup %s:", strcmp(l->file, "-") ? l->file : "- (a lookup table must be a file)");
	fclose(probe);
	/* in r->tabs before reading: a bad row that stops the run leaves nothing unreachable */
	struct lookup_tab *t = jt_xcalloc(1, sizeof *t);
	t->file = jt_xstrdup(l->file);
	t->key = jt_xstrdup(l->key);
	r->tabs = jt_xrealloc(r->tabs, (r->ntab + 1) * sizeof *r->tabs);
	r->tabs[r->ntab++] = t;
	struct jt_common strict = *r->o.c;	/* a lookup table must be clean: the first bad row stops */
	strict.strict = 1;
	strict.rejects = strict.stats = NULL;
	struct jt_rejects *rj = jt_rejects_new(&strict);
	struct lkload ctx = { t, l->file };
	struct jt_dialect d = r->o.c->dialect;
	d.no_header = 0;
	jt_read(l->file, &d, rj, lk_header, lk_record, &ctx);
	jt_rejects_free(rj);
	if (!t->h)
		jt_die("lookup %s: the file is empty (it needs a header with column '%s')", l->file, l->key);
	if (t->dups)
		jt_warn("lookup %s: %llu duplicate %s keys, the first row of each is used", l->file,
			(unsigned long long)t->dups, l->key);
	return t;
}

static void lookup_free(struct lookup_tab *t)
{
	free(t->file);
	free(t->key);
	jt_header_free(t->h);
	jt_map_free(&t->map);
	free(t->f);
	free(t->len);
	jt_arena_free(&t->ar);
	free(t);
}

/* ---- binding a plan to an input header ------------------------------- */

static void vh_add(struct plan *pl, const char *name, size_t len, int lk, size_t idx)
{
	int isnew;
	size_t e = jt_map_put(&pl->vidx, name, len, (uint32_t)pl->vh.n, &isnew);
	if (!isnew) {	/* the input's (or an earlier lookup's) column wins over a lookup's */
		size_t at = pl->vidx.ent[e].val;
		if (lk < 0 && pl->vc[at].lk < 0)
			pl->vc[at].dup = 1;	/* but two of the input's own are ambiguous */
		return;
	}
	size_t n = pl->vh.n + 1, c = pl->vcap;
	void *p = pl->vh.name;
	jt_xgrow(&p, &c, n, sizeof *pl->vh.name);
	pl->vh.name = p;
	p = pl->vh.len;
	c = pl->vcap;
	jt_xgrow(&p, &c, n, sizeof *pl->vh.len);
	pl->vh.len = p;
	p = pl->vc;
	jt_xgrow(&p, &pl->vcap, n, sizeof *pl->vc);
	pl->vc = p;
	pl->vh.name[pl->vh.n] = jt_xmemdup(name, len);
	pl->vh.len[pl->vh.n] = len;
	pl->vc[pl->vh.n].lk = lk;
	pl->vc[pl->vh.n].dup = 0;
	pl->vc[pl->vh.n].idx = idx;
	pl->vh.n = n;
}

static long vfind(const struct plan *pl, const char *name)
{
	long e = jt_map_find(&pl->vidx, name, strlen(name));
	if (e < 0)
		return -1;
	long i = (long)pl->vidx.ent[e].val;
	if (pl->vc[i].dup)
		jt_col_by_name(pl->inh, name, pl->insrc);	/* dies: ambiguous, naming both */
	return i;
}

/* A column the profile names (or the first of its names the input has):
 * dies listing the columns when it is required and absent; says once on
 * stderr (not with -q) that an optional one is absent. */
static long need(struct jt_touchrun *r, const struct plan *pl, const struct jt_pcol *c, const char *src)
{
	long i = vfind(pl, c->name);
	for (size_t k = 0; i < 0 && k < c->nalt; k++)
		i = vfind(pl, c->alt[k]);
	if (i >= 0)
		return i;
	if (!c->optional) {
		if (!c->nalt)
			jt_col_by_name(&pl->vh, c->name, src);	/* dies: unknown column, lists them */
		const char **names = jt_xcalloc(c->nalt + 1, sizeof *names);
		names[0] = c->name;
		for (size_t k = 0; k < c->nalt; k++)
			names[k + 1] = c->alt[k];
		jt_cols_unknown(&pl->vh, names, c->nalt + 1, src);
	}
	struct jt_buf b = JT_BUF_INIT;
	jt_buf_printf(&b, "%s'%s", pl->cfg.name ? pl->cfg.name : "", jt_show(c->name, strlen(c->name)));
	for (size_t k = 0; k < c->nalt; k++)
		jt_buf_printf(&b, "|%s", jt_show(c->alt[k], strlen(c->alt[k])));
	jt_buf_addc(&b, '\'');
	int isnew;
	size_t pre = pl->cfg.name ? strlen(pl->cfg.name) : 0;
	jt_map_put(&r->absent, b.p, b.len, 0, &isnew);
	if (isnew) {	/* said once per configuration name and column, with the others of this header */
		jt_buf_printf(&r->absent_now, "%s%s", r->absent_now.len ? ", " : "", b.p + pre);
		r->nabsent_now++;
	}
	jt_buf_free(&b);
	return -1;
}

static const struct rlist *rlist_named(const struct plan *pl, const char *col)
{
	const struct jt_profile *c = &pl->cfg;
	for (size_t i = 0; i < c->ntimefmt; i++)
		if (c->timefmt[i].col && strcmp(c->timefmt[i].col, col) == 0)
			return &pl->rl[i];
	return NULL;
}

/* How time column pc (bound to virtual column v) is read: the time_format
 * entry of the column the input has, else of another of its names, else the
 * default. */
static const struct rlist *rlist_of(const struct plan *pl, const struct jt_pcol *pc, long v)
{
	const struct rlist *l = v >= 0 ? rlist_named(pl, pl->vh.name[v]) : NULL;
	if (!l)
		l = rlist_named(pl, pc->name);
	for (size_t k = 0; !l && k < pc->nalt; k++)
		l = rlist_named(pl, pc->alt[k]);
	return l ? l : &pl->rl[pl->nrl - 1];
}

struct mdefault {
	const char *name;
	int integer, has_lo, has_hi;
	long lo, hi;
};

static const struct mdefault mdefaults[] = {
	{ "nps", 1, 1, 1, 0, 10 }, { "csat", 1, 1, 1, 1, 5 }, { "ces", 1, 1, 1, 1, 7 },
	{ "reopens", 1, 1, 0, 0, 0 },
};

static void bind_measure(struct jt_touchrun *r, struct plan *pl, struct pmeasure *m, const char *src)
{
	const struct jt_pmeasure *s = m->spec;
	const struct jt_profile *c = &pl->cfg;
	size_t n = strlen(s->name);
	m->out = out_index(r, s->name);
	m->a = need(r, pl, &s->a, src);
	m->ra = rlist_of(pl, &s->a, m->a);
	m->b = s->op == JT_M_DIFF ? need(r, pl, &s->b, src) : -1;
	m->rb = s->op == JT_M_DIFF ? rlist_of(pl, &s->b, m->b) : NULL;
	m->kind = n > 2 && strcmp(s->name + n - 2, "_s") == 0 ? MK_DURATION : MK_PLAIN;
	m->on = 0;
	for (size_t k = 0; s->on && k < pl->ntouch; k++)
		if (pl->touch[k].tp && strcmp(pl->touch[k].tp, s->on) == 0)
			m->on = k;
	for (size_t k = 0; k < sizeof mdefaults / sizeof *mdefaults; k++)
		if (strcmp(mdefaults[k].name, s->name) == 0) {
			m->integer = mdefaults[k].integer;
			m->has_lo = mdefaults[k].has_lo;
			m->has_hi = mdefaults[k].has_hi;
			m->lo = (jt_i128)mdefaults[k].lo * JT_DEC_SCALE;
			m->hi = (jt_i128)mdefaults[k].hi * JT_DEC_SCALE;
		}
	for (size_t k = 0; k < c->nrange; k++)
		if (strcmp(c->range[k].name, s->name) == 0) {
			m->has_lo = c->range[k].has_lo;
			m->has_hi = c->range[k].has_hi;
			m->lo = c->range[k].lo;
			m->hi = c->range[k].hi;
		}
}

static void plan_bind(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_header *h)
{
	const struct jt_profile *c = &pl->cfg;
	pl->bound = 1;
	pl->inh = h;
	pl->insrc = src;
	if (pl->where)	/* on the export's own columns */
		jt_where_bind(pl->where, h, src);
	for (size_t i = 0; i < h->n; i++)
		vh_add(pl, h->name[i], h->len[i], -1, i);
	pl->nlk = c->nlookup;
	pl->lk = jt_xcalloc(pl->nlk + 1, sizeof *pl->lk);
	pl->lkrow = jt_xcalloc(pl->nlk + 1, sizeof *pl->lkrow);
	pl->lkmatch = jt_xcalloc(pl->nlk + 1, sizeof *pl->lkmatch);
	for (size_t k = 0; k < pl->nlk; k++) {
		struct lookup_tab *t = load_lookup(r, &c->lookup[k]);
		struct jt_pcol kc = { c->lookup[k].rowcol, 0, NULL, 0 };
		pl->lk[k] = t;
		pl->lkrow[k] = need(r, pl, &kc, src);
		for (size_t i = 0; i < t->h->n; i++)
			vh_add(pl, t->h->name[i], t->h->len[i], (int)k, i);
	}
	pl->vmap = jt_xcalloc(pl->vh.n + 1, sizeof *pl->vmap);
	for (size_t k = 0; k < c->nmap; k++) {
		long i = vfind(pl, c->map[k].col);
		if (i >= 0)
			pl->vmap[i] = &c->map[k];
	}
	pl->custcol = -1;
	if (!c->customer_row) {
		for (size_t k = 0; k < c->ncustomer && pl->custcol < 0; k++) {
			pl->custcol = vfind(pl, c->customer[k].name);
			pl->custname = c->customer[k].name;
		}
		if (pl->custcol < 0) {
			struct jt_buf b = JT_BUF_INIT;
			for (size_t k = 0; k < c->ncustomer; k++)
				jt_buf_printf(&b, "%s'%s'", k ? ", " : "", c->customer[k].name);
			if (c->ncustomer == 1)
				jt_col_by_name(&pl->vh, c->customer[0].name, src);
			jt_die_at(src, 1, "no customer column: none of %s is a column (--customer COLUMN names it%s)", b.p,
				  pl->nlk ? "" : "; --lookup FILE:KEY joins a table that has it");
		}
	}
	pl->custlk = pl->custcol >= 0 ? pl->vc[pl->custcol].lk : -1;
	pl->ntouch = c->ntouch;
	pl->touch = jt_xcalloc(pl->ntouch, sizeof *pl->touch);
	for (size_t k = 0; k < c->ntouch; k++) {
		const struct jt_ptouch *s = &c->touch[k];
		struct ptouch *t = &pl->touch[k];
		t->tp = s->touchpoint;
		t->tplen = t->tp ? strlen(t->tp) : 0;
		t->tpcol = s->touchpoint ? -1 : need(r, pl, &s->from_col, src);
		t->timecol = need(r, pl, &s->time, src);
		t->rd = rlist_of(pl, &s->time, t->timecol);
		t->custcol = s->customer.name ? need(r, pl, &s->customer, src) : -1;
		t->custname = s->customer.name;
		if (!s->touchpoint && t->tpcol < 0)
			t->timecol = -1;
		pl->split |= t->custcol >= 0;
	}
	pl->nmeas = c->nmeasure;
	pl->meas = jt_xcalloc(pl->nmeas + 1, sizeof *pl->meas);
	for (size_t k = 0; k < c->nmeasure; k++) {
		pl->meas[k].spec = &c->measure[k];
		bind_measure(r, pl, &pl->meas[k], src);
	}
	pl->ncarry = c->ncarry;
	pl->carry = jt_xcalloc(pl->ncarry + 1, sizeof *pl->carry);
	for (size_t k = 0; k < c->ncarry; k++) {
		pl->carry[k].out = out_index(r, c->carry[k].out);
		pl->carry[k].col = need(r, pl, &c->carry[k].col, src);
		pl->carry[k].on = 0;
		for (size_t o = 0; o < c->carry[k].non; o++)
			for (size_t t = 0; t < pl->ntouch; t++)
				if (pl->touch[t].tp && strcmp(pl->touch[t].tp, c->carry[k].on[o]) == 0)
					pl->carry[k].on |= (uint64_t)1 << t;
	}
	pl->chancol = c->channel.name ? need(r, pl, &c->channel, src) : -1;
	pl->refcol = c->referee.name ? need(r, pl, &c->referee, src) : -1;
	if (r->nabsent_now) {
		int one = r->nabsent_now == 1;
		jt_warn("%s: %s has no column%s %s (optional: %s empty)", pl->cfg.name ? pl->cfg.name : "the command line",
			src, one ? "" : "s", r->absent_now.p, one ? "it reads as" : "they read as");
		jt_buf_reset(&r->absent_now);
		r->nabsent_now = 0;
	}
}

static void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->vh.n; i++)
		free(pl->vh.name[i]);
	free(pl->vh.name);
	free(pl->vh.len);
	jt_map_free(&pl->vidx);
	free(pl->vc);
	free(pl->vmap);
	free(pl->lk);
	free(pl->lkrow);
	free(pl->lkmatch);
	free(pl->touch);
	free(pl->meas);
	free(pl->carry);
	if (pl->tz)
		jt_tz_free(pl->tz);
	jt_where_free(pl->where);
	for (size_t i = 0; i < pl->nrl; i++) {
		for (size_t k = 0; k < pl->rl[i].n; k++)
			jt_tfmt_free((struct jt_tfmt *)pl->rl[i].r[k].fmt);
		free(pl->rl[i].r);
		free(pl->rl[i].tried);
	}
	free(pl->rl);
	jt_zones_free(&pl->zones);
	jt_profile_free(&pl->cfg);
}

/* ---- the row ------------------------------------------------------------ */

static int ieq(const char *a, size_t n, const char *lowered)
{
	for (size_t i = 0; i < n; i++) {
		char ch = a[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != lowered[i] || !lowered[i])
			return 0;
	}
	return lowered[n] == '\0';
}

static const char *get_slow(const struct plan *pl, const struct jt_record *rec, long v, size_t *len);

/* The value of virtual column v for this row, after its map. */
static inline const char *get(const struct plan *pl, const struct jt_record *rec, long v, size_t *len)
{
	if (v >= 0 && pl->vc[v].lk < 0 && !pl->vmap[v]) {	/* an input column as it is */
		*len = rec->len[pl->vc[v].idx];
		return rec->f[pl->vc[v].idx];
	}
	return get_slow(pl, rec, v, len);
}

static const char *get_slow(const struct plan *pl, const struct jt_record *rec, long v, size_t *len)
{
	const char *s;
	if (v < 0) {
		*len = 0;
		return "";
	}
	const struct vcol *vc = &pl->vc[v];
	if (vc->lk < 0) {
		s = rec->f[vc->idx];
		*len = rec->len[vc->idx];
	} else {
		const struct lookup_tab *t = pl->lk[vc->lk];
		size_t at = (size_t)pl->lkmatch[vc->lk] * t->h->n + vc->idx;
		s = t->f[at];
		*len = t->len[at];
	}
	const struct jt_pmap *m = pl->vmap[v];
	if (m)
		for (size_t i = 0; i < m->n; i++)
			if (ieq(s, *len, m->key[i])) {
				*len = strlen(m->val[i]);
				return m->val[i];
			}
	return s;
}

/* Parses column v's time; 1 = empty, 0 = ok, -1 = rejected (dies on a day/month date without order). */
static int row_time(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_record *rec, long v,
		    const struct rlist *rl, int64_t *t, const char **canon)
{
	size_t n;
	const char *s = get(pl, rec, v, &n);
	if (n == 0)
		return 1;
	int need = 0, range = 0;
	for (size_t k = 0; k < rl->n; k++) {
		int rc = jt_time_read(s, n, &rl->r[k], t);
		if (rc == JT_TIME_OK) {
			/* already YYYY-MM-DDTHH:MM:SSZ (and no leap second): written as it came */
			if (canon)
				*canon = n == 20 && s[10] == 'T' && s[19] == 'Z' && rl->r[k].kind == JT_TIME_AUTO &&
						 !(s[17] == '6' && s[18] == '0') ? s : NULL;
			return 0;
		}
		need |= rc == JT_TIME_NEED_ORDER;
		range |= rc == JT_TIME_RANGE;
	}
	if (need)
		jt_die_at(src, rec->line, "column '%s': '%s' is a day/month date; say which order with --date-order mdy "
			  "or --date-order dmy", pl->vh.name[v], jt_show(s, n));
	if (rl->plain)
		jt_reject(r->rj, src, rec, "bad time", "column '%s': '%s' %s", pl->vh.name[v], jt_show(s, n),
			  range ? "is outside years 0000-9999" : "is not a time");
	else
		jt_reject(r->rj, src, rec, "bad time", "column '%s': '%s' %s (tried: %s)", pl->vh.name[v],
			  jt_show(s, n), range ? "is outside years 0000-9999" : "is not a time", jt_show(rl->tried, strlen(rl->tried)));
	return -1;
}

static void range_text(const struct pmeasure *m, char *buf, size_t n)
{
	char lo[64], hi[64];
	if (!m->has_lo && !m->has_hi)
		snprintf(buf, n, "%s", "");
	else if (m->has_lo && m->has_hi)
		snprintf(buf, n, "in %s-%s", jt_dec_format(m->lo, lo), jt_dec_format(m->hi, hi));
	else if (m->has_lo)
		snprintf(buf, n, "at least %s", jt_dec_format(m->lo, lo));
	else
		snprintf(buf, n, "at most %s", jt_dec_format(m->hi, hi));
}

/* Computes a measure into m->val; 0 ok (maybe empty), -1 rejected. */
static int row_measure(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_record *rec,
		       struct pmeasure *m)
{
	const struct jt_pmeasure *s = m->spec;
	size_t n;
	const char *v = get(pl, rec, m->a, &n);
	jt_i128 x;
	m->val = "";
	m->vlen = 0;
	m->neg_row = 0;
	if (s->op == JT_M_DIFF) {
		int64_t ta, tb;
		int ra = row_time(r, pl, src, rec, m->a, m->ra, &ta, NULL);
		if (ra < 0)
			return -1;
		int rb = row_time(r, pl, src, rec, m->b, m->rb, &tb, NULL);
		if (rb < 0)
			return -1;
		if (ra || rb)
			return 0;
		x = (jt_i128)(ta - tb) * JT_DEC_SCALE;
	} else {
		if (n == 0)
			return 0;
		int rc = jt_dec_parse(v, n, &x);
		if (rc != JT_NUM_OK) {
			char rt[160];
			range_text(m, rt, sizeof rt);
			jt_reject_number(r->rj, src, rec, pl->vh.name[m->a], s->name, v, n, rc, *rt ? rt : NULL);
			return -1;
		}
		if (s->op == JT_M_MUL) {
			x = x * s->factor / JT_DEC_SCALE;
		} else if (s->op == JT_M_DIV) {
			x = x * JT_DEC_SCALE / s->factor;
		}
	}
	if (m->kind == MK_DURATION && s->op != JT_M_COPY) {	/* whole seconds, half away from zero */
		jt_i128 h = JT_DEC_SCALE / 2;
		x = (x >= 0 ? x + h : x - h) / JT_DEC_SCALE * JT_DEC_SCALE;
	}
	if (m->kind == MK_DURATION && x < 0 && !s->is_signed) {
		m->neg_row = 1;
		return 0;
	}
	if ((m->integer && x % JT_DEC_SCALE != 0) || (m->has_lo && x < m->lo) || (m->has_hi && x > m->hi)) {
		char rt[160];
		range_text(m, rt, sizeof rt);
		const char *shown = s->op == JT_M_COPY ? v : jt_dec_format(x, m->buf);
		int frac = m->integer && x % JT_DEC_SCALE != 0;
		jt_reject_number(r->rj, src, rec, pl->vh.name[m->a], s->name, shown,
				 s->op == JT_M_COPY ? n : strlen(shown), frac ? JT_NUM_FRACTION : JT_NUM_OUTSIDE,
				 *rt ? rt : NULL);
		return -1;
	}
	if (s->op == JT_M_COPY) {
		m->val = v;
		m->vlen = n;
	} else {
		m->val = jt_dec_format(x, m->buf);
		m->vlen = strlen(m->val);
	}
	return 0;
}

/* The customer id of column v, normalized when asked; empty when missing. */
static const char *row_customer(struct jt_touchrun *r, struct plan *pl, const struct jt_record *rec, long v,
				size_t *len, struct jt_buf *buf)
{
	const char *s = get(pl, rec, v, len);
	if (!pl->cfg.norm_lower && !pl->cfg.norm_trim)
		return s;
	size_t a = 0, b = *len;
	if (pl->cfg.norm_trim) {
		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
	}
	jt_buf_reset(buf);
	jt_buf_add(buf, s + a, b - a);
	if (pl->cfg.norm_lower)
		for (size_t i = 0; i < buf->len; i++)
			if (buf->p[i] >= 'A' && buf->p[i] <= 'Z')
				buf->p[i] = (char)(buf->p[i] - 'A' + 'a');
	(void)r;
	*len = buf->len;
	return buf->p ? buf->p : "";
}

uint64_t jt_shard_of(const char *id, size_t len, uint64_t n)
{
	return jt_fnv1a64(id, len) % n + 1;
}

/* 1: write the touch; 2: another shard's touch inside --since/--until (that
 * shard writes it, unless --dedup finds it a duplicate there): it still makes
 * its row count as out; 0: left out. The touch counters count this shard's
 * touches only. */
static int keep_touch(struct jt_touchrun *r, const char *cust, size_t clen, int64_t t, const char *tp,
		      size_t tplen)
{
	const struct jt_common *c = r->o.c;
	int here = !r->o.shard_n || jt_shard_of(cust, clen, r->o.shard_n) == r->o.shard_k;
	if ((c->has_since && t < c->since) || (c->has_until && t >= c->until)) {
		r->filtered += (uint64_t)here;
		return 0;
	}
	if (!here)
		return 2;
	if (r->o.dedup) {
		int isnew;
		jt_buf_reset(&r->key);
		jt_buf_add(&r->key, cust, clen);
		jt_buf_add(&r->key, "\0", 1);
		jt_buf_add(&r->key, &t, sizeof t);
		jt_buf_add(&r->key, tp, tplen);
		jt_map_put(&r->dedup, r->key.p, r->key.len, 0, &isnew);
		if (!isnew) {
			r->dup++;
			return 0;
		}
	}
	return 1;
}

/* The row's customer id (normalized when asked; empty when missing). */
static inline const char *row_id(struct jt_touchrun *r, struct plan *pl, const struct jt_record *rec, size_t *len)
{
	if (pl->cfg.customer_row) {	/* SOURCE:N, N counting every record of the source's files */
		jt_buf_reset(&r->rowbuf);
		jt_buf_printf(&r->rowbuf, "%s:%llu", pl->source, (unsigned long long)(pl->rowbase + rec->recno));
		*len = r->rowbuf.len;
		return r->rowbuf.p;
	}
	if (!pl->cfg.norm_lower && !pl->cfg.norm_trim)
		return get(pl, rec, pl->custcol, len);
	return row_customer(r, pl, rec, pl->custcol, len, &r->cbuf);
}

/* --shard: 1 when the row is this shard's (its customer's shard, or shard 1
 * for a row without a customer id); else 0 (the row is not counted here, but
 * a touch of its own customer may be this shard's), or -1 when it has
 * nothing for this shard. */
static int row_mine(struct jt_touchrun *r, const struct plan *pl, const char *cust, size_t clen)
{
	if (clen == 0) {
		jt_row_unowned(r->rj);
		if (r->o.shard_k == 1)
			return 1;
	} else if (jt_shard_of(cust, clen, r->o.shard_n) == r->o.shard_k) {
		return 1;
	} else {
		jt_row_elsewhere(r->rj);
	}
	return pl->split ? 0 : -1;
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_touchrun *r = ctx;
	struct plan *pl = r->cur;
	int64_t tt[MAXTOUCH];
	const char *tcanon[MAXTOUCH];
	int has[MAXTOUCH];
	size_t nt = pl->ntouch;
	size_t clen = 0;
	const char *cust = NULL;
	int mine = 1;	/* --shard: the row is this shard's, to count and report */
	/* the customer as soon as its column is there: another shard's row stops
	 * there, unless a touch has its own customer */
	if (pl->custlk < 0) {
		cust = row_id(r, pl, rec, &clen);
		if (r->o.shard_n && (mine = row_mine(r, pl, cust, clen)) < 0)
			return;
	}
	if (pl->where && !jt_where_match(pl->where, src, rec)) {	/* before anything is made of the row */
		r->rows_where++;
		jt_rows_filtered(r->rj);
		return;
	}
	/* lookups, in order: each may use the columns of the ones before */
	for (size_t k = 0; k < pl->nlk; k++) {
		size_t n;
		const char *key = get(pl, rec, pl->lkrow[k], &n);
		long row = n ? jt_map_find(&pl->lk[k]->map, key, n) : -1;
		if (row < 0) {
			if (r->o.shard_n && pl->custlk >= (long)k)	/* no customer yet: shard 1's row */
				jt_row_unowned(r->rj);
			jt_reject(r->rj, src, rec, "unmatched lookup", "column '%s': '%s' is not in lookup %s",
				  pl->cfg.lookup[k].rowcol, jt_show(key, n), pl->lk[k]->file);
			return;
		}
		pl->lkmatch[k] = (long)pl->lk[k]->map.ent[row].val;
		if (pl->custlk == (long)k) {
			cust = row_id(r, pl, rec, &clen);
			if (r->o.shard_n && (mine = row_mine(r, pl, cust, clen)) < 0)
				return;
		}
	}
	/* every time first: one bad time rejects the whole row */
	size_t nemit = 0;
	for (size_t k = 0; k < nt; k++) {
		int rc = pl->touch[k].timecol < 0 ? 1 :
			row_time(r, pl, src, rec, pl->touch[k].timecol, pl->touch[k].rd, &tt[k], &tcanon[k]);
		if (rc < 0)
			return;
		has[k] = rc == 0;
		nemit += (size_t)has[k];
	}
	for (size_t k = 0; k < nt; k++) {
		if (!has[k])
			continue;
		if (pl->touch[k].custcol < 0 && clen == 0) {
			jt_reject(r->rj, src, rec, "missing customer", "column '%s': empty customer id",
				  pl->custname ? pl->custname : "customer");
			return;
		}
		if (pl->touch[k].custcol >= 0) {
			size_t n;
			get(pl, rec, pl->touch[k].custcol, &n);
			if (n == 0) {
				jt_reject(r->rj, src, rec, "missing customer", "column '%s': empty customer id for %s",
					  pl->touch[k].custname, pl->touch[k].tp ? pl->touch[k].tp : "the touch");
				return;
			}
		}
		if (pl->touch[k].tpcol >= 0) {
			size_t n;
			get(pl, rec, pl->touch[k].tpcol, &n);
			if (n == 0) {
				jt_reject(r->rj, src, rec, "missing touchpoint", "column '%s': empty touchpoint",
					  pl->vh.name[pl->touch[k].tpcol]);
				return;
			}
		}
	}
	for (size_t k = 0; k < pl->nmeas; k++)
		if (row_measure(r, pl, src, rec, &pl->meas[k]) != 0)
			return;
	if (nemit == 0) {
		r->rows_notime += (uint64_t)mine;
		jt_rows_skipped(r->rj);
		return;
	}
	/* the row is good: fill the constant part of the output row */
	const char **of = r->of;
	size_t *ol = r->olen;
	memset(ol, 0, r->ncol * sizeof *ol);	/* an empty field's pointer is never read */
	of[3] = pl->source;
	ol[3] = pl->srclen;
	if (pl->cfg.channel_const) {
		of[4] = pl->cfg.channel_const;
		ol[4] = pl->chanlen;
	} else {
		of[4] = get(pl, rec, pl->chancol, &ol[4]);
	}
	int carry_on = 0;	/* a carried column rides on some touches only */
	for (size_t k = 0; k < pl->ncarry; k++) {
		of[pl->carry[k].out] = get(pl, rec, pl->carry[k].col, &ol[pl->carry[k].out]);
		carry_on |= pl->carry[k].on != 0;
	}
	for (size_t k = 0; k < pl->nmeas; k++)
		if (pl->meas[k].vlen && !has[pl->meas[k].on])
			r->dropped += (uint64_t)mine;
	size_t refn = 0;
	const char *ref = get(pl, rec, pl->refcol, &refn);
	if (refn && !has[0])
		r->dropped += (uint64_t)mine;
	size_t emitted = 0;
	int out = 0;
	char tbuf[32];
	for (size_t k = 0; k < nt; k++) {
		if (!has[k])
			continue;
		const struct ptouch *t = &pl->touch[k];
		size_t cl = clen, tpl;
		const char *cu = t->custcol >= 0 ? get(pl, rec, t->custcol, &cl) : cust;
		if (t->custcol >= 0)
			cu = row_customer(r, pl, rec, t->custcol, &cl, &r->tcbuf);
		const char *tp = t->tp ? t->tp : get(pl, rec, t->tpcol, &tpl);
		if (t->tp)
			tpl = t->tplen;
		int keep = keep_touch(r, cu, cl, tt[k], tp, tpl);
		out |= keep;
		if (keep != 1)
			continue;
		of[0] = cu;
		ol[0] = cl;
		of[1] = tcanon[k] ? tcanon[k] : jt_time_format(tt[k], tbuf);
		ol[1] = 20;	/* YYYY-MM-DDTHH:MM:SSZ: every time was checked to be in 0000-9999 */
		of[2] = tp;
		ol[2] = tpl;
		for (size_t m = 0; m < pl->nmeas; m++) {
			size_t o = pl->meas[m].out;
			of[o] = pl->meas[m].on == k ? pl->meas[m].val : "";
			ol[o] = pl->meas[m].on == k ? pl->meas[m].vlen : 0;
		}
		of[13] = k == 0 ? ref : "";
		ol[13] = k == 0 ? refn : 0;
		for (size_t c = 0; carry_on && c < pl->ncarry; c++)
			if (pl->carry[c].on) {
				size_t o = pl->carry[c].out;
				if (pl->carry[c].on >> k & 1)
					of[o] = get(pl, rec, pl->carry[c].col, &ol[o]);
				else
					ol[o] = 0;
			}
		jt_w_record(&r->w, of, ol, r->ncol, pl->safe);
		emitted++;
	}
	r->touches += emitted;
	if (!mine)
		return;
	if (out) {
		r->rows_out++;
		for (size_t m = 0; m < pl->nmeas; m++)
			pl->meas[m].negative += (uint64_t)pl->meas[m].neg_row;
	} else {
		r->rows_filtered++;
		jt_rows_skipped(r->rj);
	}
}

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_touchrun *r = ctx;
	jt_rejects_header(r->rj, h);
	plan_bind(r, r->cur, src, h);
	if (!r->header_done) {	/* at the first header: an empty input gives an empty output */
		r->header_done = 1;
		for (size_t i = 0; i < r->ncol; i++)
			jt_w_str(&r->w, r->cols[i]);
		jt_w_end(&r->w);
	}
}

/* ---- the run ------------------------------------------------------------ */

static void collect_cols(struct jt_touchrun *r)
{
	for (size_t i = 0; i < JT_TOUCH_NCOL; i++)
		add_col(r, jt_touch_columns[i]);
	for (size_t p = 0; p < r->nplan; p++) {
		const struct jt_profile *c = &r->plans[p].cfg;
		for (size_t k = 0; k < c->nmeasure; k++)
			add_col(r, c->measure[k].name);
		for (size_t k = 0; k < c->ncarry; k++)
			add_col(r, c->carry[k].out);
	}
	r->of = jt_xcalloc(r->ncol, sizeof *r->of);
	r->olen = jt_xcalloc(r->ncol, sizeof *r->olen);
}

static void summary(struct jt_touchrun *r)
{
	struct jt_buf b = JT_BUF_INIT;
	uint64_t neg = 0;
	for (size_t p = 0; p < r->nplan; p++)
		for (size_t k = 0; k < r->plans[p].nmeas; k++)
			neg += r->plans[p].meas[k].negative;
	if (r->rows_notime)
		jt_buf_printf(&b, "; %llu without a timestamp", (unsigned long long)r->rows_notime);
	if (r->rows_where)
		jt_buf_printf(&b, "; %llu left out by where", (unsigned long long)r->rows_where);
	if (r->rows_filtered)
		jt_buf_printf(&b, "; %llu with every touch outside --shard/--since/--until/--dedup",
			      (unsigned long long)r->rows_filtered);
	if (jt_rejected(r->rj))
		jt_buf_printf(&b, "; %llu rejected", (unsigned long long)jt_rejected(r->rj));
	if (r->dup)
		jt_buf_printf(&b, "; %llu duplicate touch%s dropped", (unsigned long long)r->dup,
			      r->dup == 1 ? "" : "es");
	if (r->filtered && (r->o.shard_n || r->o.c->has_since || r->o.c->has_until))
		jt_buf_printf(&b, "; %llu touch%s outside --shard/--since/--until", (unsigned long long)r->filtered,
			      r->filtered == 1 ? "" : "es");
	if (neg) {
		jt_buf_printf(&b, "; %llu negative duration%s left empty (", (unsigned long long)neg, neg == 1 ? "" : "s");
		int first = 1;
		for (size_t p = 0; p < r->nplan; p++)
			for (size_t k = 0; k < r->plans[p].nmeas; k++)
				if (r->plans[p].meas[k].negative) {
					jt_buf_printf(&b, "%s%s %llu", first ? "" : ", ", r->plans[p].meas[k].spec->name,
						      (unsigned long long)r->plans[p].meas[k].negative);
					first = 0;
				}
		jt_buf_adds(&b, ")");
	}
	if (r->dropped)
		jt_buf_printf(&b, "; %llu value%s dropped (measure or referee whose touch has no timestamp)",
			      (unsigned long long)r->dropped, r->dropped == 1 ? "" : "s");
	if (b.len) {
		uint64_t in = r->rows_out + r->rows_notime + r->rows_filtered + r->rows_where + jt_rejected(r->rj);
		jt_info("%llu row%s in: %llu emitted %llu touch%s%s", (unsigned long long)in, in == 1 ? "" : "s",
			(unsigned long long)r->rows_out, (unsigned long long)r->touches, r->touches == 1 ? "" : "es",
			b.p);
	}
	jt_rejects_stat(r->rj, "touches_out", r->touches);
	jt_rejects_stat(r->rj, "rows_without_time", r->rows_notime);
	jt_rejects_stat(r->rj, "touches_filtered", r->filtered);
	jt_rejects_stat(r->rj, "touches_duplicate", r->dup);
	jt_rejects_stat(r->rj, "negative_durations", neg);
	jt_rejects_stat(r->rj, "measures_dropped", r->dropped);
	jt_buf_free(&b);
}

int jt_touch_run(struct jt_touchrun *r, FILE *out)
{
	size_t n = r->nin ? r->nin : 1;
	r->o = *r->op;
	if (r->nin && r->nent > r->in[r->nin - 1].upto) {
		const struct ent *e = &r->ent[r->in[r->nin - 1].upto];
		jt_usage_error("%s %s comes after the last input file, so it applies to none: put it before the file",
			       e->opt, e->is_profile ? e->key : jt_show(e->args, strlen(e->args)));
	}
	r->plans = jt_xcalloc(n, sizeof *r->plans);
	r->nplan = n;
	for (size_t i = 0; i < n; i++)
		build(r, &r->plans[i], r->nin ? r->in[i].upto : r->nent, r->nin ? r->in[i].path : NULL);
	collect_cols(r);
	/* no output may replace an input, a profile or a lookup table */
	for (size_t i = 0; i < n; i++) {
		jt_path_input(r->nin ? r->in[i].path : "-");
		for (size_t k = 0; k < r->plans[i].cfg.nlookup; k++)
			if (strcmp(r->plans[i].cfg.lookup[k].file, "-") != 0)
				jt_path_config("lookup table", r->plans[i].cfg.lookup[k].file);
	}
	jt_paths_check();
	/* lookups first: the reader is not reentrant, and a bad table should stop
	 * the run before any output */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < r->plans[i].cfg.nlookup; k++)
			load_lookup(r, &r->plans[i].cfg.lookup[k]);
	r->rj = jt_rejects_new(r->o.c);
	if (r->o.shard_n)
		jt_rejects_shard(r->rj, r->o.shard_k == 1);
	if (r->nin > 1)
		jt_rejects_whole_records(r->rj);
	jt_writer_init(&r->w, out);
	for (size_t i = 0; i < n; i++) {
		int isnew;
		r->cur = &r->plans[i];
		size_t e = jt_map_put(&r->rowids, r->cur->source, r->cur->srclen, 0, &isnew);
		uint64_t before = jt_rows_read(r->rj);
		if (isnew) {
			r->rowbase_of = jt_xrealloc(r->rowbase_of, r->rowids.n * sizeof *r->rowbase_of);
			r->rowbase_of[e] = 0;
		}
		r->cur->rowbase = r->rowbase_of[e];
		jt_read(r->nin ? r->in[i].path : NULL, &r->cur->dialect, r->rj, on_header, on_record, r);
		r->rowbase_of[e] += jt_rows_read(r->rj) - before;
	}
	jt_writer_flush(&r->w);
	jt_out_flush(out);
	summary(r);
	return jt_rejects_finish(r->rj, (long long)r->rows_out);
}

void jt_touch_free(struct jt_touchrun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nent; i++) {
		free(r->ent[i].opt);
		free(r->ent[i].key);
		free(r->ent[i].args);
		free(r->ent[i].pname);
	}
	free(r->ent);
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i].path);
	free(r->in);
	for (size_t i = 0; i < r->nplan; i++)
		plan_free(&r->plans[i]);
	free(r->plans);
	for (size_t i = 0; i < r->ntab; i++)
		lookup_free(r->tabs[i]);
	free(r->tabs);
	for (size_t i = 0; i < r->ncol; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->of);
	free(r->olen);
	jt_rejects_free(r->rj);
	jt_map_free(&r->dedup);
	jt_map_free(&r->rowids);
	jt_map_free(&r->absent);
	jt_buf_free(&r->absent_now);
	free(r->rowbase_of);
	jt_buf_free(&r->key);
	jt_buf_free(&r->cbuf);
	jt_buf_free(&r->tcbuf);
	jt_buf_free(&r->rowbuf);
	free(r);
}

void jt_touch_list_profiles(FILE *out)
{
	char dir[4096];
	size_t n;
	char **names = profile_names(dir, sizeof dir, &n);
	if (!names && n == (size_t)-1)
		jt_die("%s:", dir);
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		char *text = slurp(path, &len);
		const char *desc = "";
		struct jt_profile p;
		char err[256];
		unsigned line;
		size_t col;
		jt_profile_init(&p);
		if (text && jt_profile_parse(&p, text, len, err, sizeof err, &line, &col) == 0 && p.description)
			desc = p.description;
		fprintf(out, "%-16.*s %s\n", (int)(strlen(names[i]) - 8), names[i], desc);
		jt_profile_free(&p);
		free(text);
		free(names[i]);
	}
	free(names);
}
