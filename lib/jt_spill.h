/* jt_spill.h — temporary files for data past the --memory budget.
 *
 * A spill file lives in $TMPDIR (else /tmp) and has no name: it is unlinked
 * as soon as it is made, so whatever ends the run — success, an error, a
 * signal, SIGKILL — leaves nothing behind. Writes are buffered; any failure
 * (a full $TMPDIR) stops the run with exit 1 and a message saying what to do. */
#ifndef JT_SPILL_H
#define JT_SPILL_H

#include <stddef.h>
#include <stdint.h>

struct jt_spill {
	int fd;
	uint64_t size;	/* bytes written (flushed or not) */
	char *buf;
	size_t blen;
};

void jt_spill_open(struct jt_spill *s);
void jt_spill_write(struct jt_spill *s, const void *p, size_t n);
/* Writes n bytes at off, past the buffer (regions laid out by the caller). */
void jt_spill_pwrite(struct jt_spill *s, uint64_t off, const void *p, size_t n);
/* Flushes the buffer (before reading back). */
void jt_spill_flush(struct jt_spill *s);
/* Reads n bytes at off (after jt_spill_flush). */
void jt_spill_pread(const struct jt_spill *s, uint64_t off, void *dst, size_t n);
void jt_spill_close(struct jt_spill *s);
/* Bytes written to spill files so far in this run (for --stats). */
uint64_t jt_spill_total(void);

#endif
