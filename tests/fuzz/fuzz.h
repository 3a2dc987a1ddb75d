/* fuzz.h — what every harness in tests/fuzz shares. A harness is one
 * LLVMFuzzerTestOneInput: built with clang -fsanitize=fuzzer by `make fuzz`,
 * and with the normal compiler and replay.c by `make check`, which replays
 * tests/fuzz/corpus and tests/fuzz/regress (tests/fuzz.bats). A broken
 * invariant aborts with a message naming it. */
#ifndef JT_FUZZ_H
#define JT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#endif
