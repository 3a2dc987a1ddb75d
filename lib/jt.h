/* jt.h — everything a jtools program needs from lib/. */
#ifndef JT_H
#define JT_H

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_paths.h"
#include "jt_reject.h"
#include "jt_shards.h"
#include "jt_table.h"
#include "jt_time.h"

#endif
