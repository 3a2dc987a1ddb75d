/* touch.c — jtouch: settings and profiles in command-line order, the
 * configuration (plan) they build for each input, and the run; the lookups
 * and binding are touch_plan.c, the per-row work touch_row.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_paths.h"
#include "jt_err.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "touch_int.h"

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
			jt_touch_load_lookup(r, &r->plans[i].cfg.lookup[k]);
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
		jt_read(r->nin ? r->in[i].path : NULL, &r->cur->dialect, r->rj, jt_touch_on_header, jt_touch_on_record, r);
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
		jt_touch_plan_free(&r->plans[i]);
	free(r->plans);
	for (size_t i = 0; i < r->ntab; i++)
		jt_touch_lookup_free(r->tabs[i]);
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
