/* paths.c — no output of a run may replace one of its inputs (jt_paths.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_out.h"
#include "jt_paths.h"

enum kind { DATA, CONFIG, MAIN, SIDE };

static struct path {
	enum kind kind;
	char *what;	/* "-o", "--stats", "rules file", "input" */
	char *path;
} *paths;
static size_t npath, pcap;

static void add(enum kind k, const char *what, const char *path)
{
	for (size_t i = 0; i < npath; i++)
		if (paths[i].kind == k && strcmp(paths[i].path, path) == 0 && strcmp(paths[i].what, what) == 0)
			return;
	void *p = paths;
	jt_xgrow(&p, &pcap, npath + 1, sizeof *paths);
	paths = p;
	paths[npath].kind = k;
	paths[npath].what = jt_xstrdup(what);
	paths[npath++].path = jt_xstrdup(path);
}

void jt_path_input(const char *path) { add(DATA, "input", path ? path : "-"); }
void jt_path_config(const char *what, const char *path) { add(CONFIG, what, path); }
void jt_path_output(const char *opt, const char *path, int main) { add(main ? MAIN : SIDE, opt, path); }

/* Standard input is one file with an output when fd 0 is that file. */
static int stdin_is(const char *out)
{
	struct stat si, so;
	return fstat(0, &si) == 0 && S_ISREG(si.st_mode) && stat(out, &so) == 0 && si.st_dev == so.st_dev &&
	       si.st_ino == so.st_ino;
}

static int same(const struct path *in, const struct path *out)
{
	if (strcmp(out->path, "-") == 0)
		return 0;	/* standard output: never one of the files read */
	if (in->kind == DATA && strcmp(in->path, "-") == 0)
		return stdin_is(out->path);
	return jt_same_file(in->path, out->path);
}

void jt_paths_check(void)
{
	for (size_t i = 0; i < npath; i++) {
		const struct path *o = &paths[i];
		if (o->kind != MAIN && o->kind != SIDE)
			continue;
		for (size_t k = 0; k < npath; k++) {
			const struct path *x = &paths[k];
			if (k == i || (x->kind == DATA && o->kind == MAIN))
				continue;
			if ((x->kind == MAIN || x->kind == SIDE) && k < i)
				continue;	/* each pair of outputs once */
			if (!same(x, o))
				continue;
			if (x->kind == MAIN || x->kind == SIDE)
				jt_usage_error("%s and %s name the same file '%s'", x->what, o->what,
					       jt_show(x->path, strlen(x->path)));
			if (x->kind == DATA && strcmp(x->path, "-") == 0)
				jt_usage_error("%s '%s' would replace the input (standard input is that file): write it elsewhere",
					       o->what, jt_show(o->path, strlen(o->path)));
			jt_usage_error("%s '%s' would replace the %s '%s': write it elsewhere", o->what,
				       jt_show(o->path, strlen(o->path)), x->what, jt_show(x->path, strlen(x->path)));
		}
	}
}
