/* datadir.c — where share/jtools lives: $JTOOLS_DATADIR or the compiled-in path. */
#include <stdlib.h>

#include "jt_opt.h"

#ifndef JT_DATADIR
#define JT_DATADIR "/usr/local/share/jtools"
#endif

const char *jt_datadir(void)
{
	const char *d = getenv("JTOOLS_DATADIR");
	return d && *d ? d : JT_DATADIR;
}
