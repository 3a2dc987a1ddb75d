/* replay.c — runs a harness's LLVMFuzzerTestOneInput once per file named on
 * the command line, without libFuzzer: `make check` builds it with the normal
 * compiler, tests/fuzz.bats replays the corpus and the inputs that once found
 * a bug. Exit 0 when every input ran. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		if (!fp) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		size_t cap = 4096, n = 0, k;
		unsigned char *buf = malloc(cap);
		while (buf && (k = fread(buf + n, 1, cap - n, fp)) > 0) {
			n += k;
			if (n == cap) {
				unsigned char *p = realloc(buf, cap *= 2);
				if (!p)
					free(buf);
				buf = p;
			}
		}
		if (!buf || ferror(fp)) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], buf ? "read error" : "out of memory");
			return 1;
		}
		fclose(fp);
		/* an exact copy, so that a read past the end is caught (ASan, valgrind) */
		unsigned char *in = malloc(n ? n : 1);
		if (!in)
			return 1;
		memcpy(in, buf, n);
		free(buf);
		LLVMFuzzerTestOneInput(in, n);
		free(in);
	}
	return 0;
}
