# jtools build. GNU make. See README.md.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
AR      ?= ar
VERSION  = 0.1.0

# Our own flags live apart from CFLAGS so that `make CFLAGS=...` keeps them.
PCRE2_CFLAGS := $(shell pkg-config --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS   := $(shell pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
# Compressed inputs (lib/input.c): zlib, libbz2 (no .pc file on Debian), liblzma, libzstd.
ZIP_CFLAGS := $(shell pkg-config --cflags zlib liblzma libzstd 2>/dev/null)
ZIP_LIBS   := $(shell pkg-config --libs zlib liblzma libzstd 2>/dev/null || echo -lz -llzma -lzstd) -lbz2
JT_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow \
            -Wformat=2 -Ilib $(PCRE2_CFLAGS) $(ZIP_CFLAGS)
LDLIBS  += -lcsv $(PCRE2_LIBS) $(ZIP_LIBS) -lm -pthread

# ASan and UBSan; a UBSan report stops the program. In make check a report
# exits 99, which no test expects (as under valgrind).
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SANITIZE),1)
CFLAGS  = -O1 -g $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
SAN_ENV = ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=exitcode=99:print_stacktrace=1
endif
# ThreadSanitizer (not with ASan): the threads of -j, a pipe read in chunks,
# jrefer's worker. A data race exits 99.
ifeq ($(SANITIZE),thread)
CFLAGS  = -O1 -g -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
SAN_ENV = TSAN_OPTIONS=exitcode=99:halt_on_error=1:report_thread_leaks=0
endif

FUZZ_DIR = build/fuzz

PROGS   := $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
LIBSRC  := $(wildcard lib/*.c)
LIBOBJ  := $(LIBSRC:.c=.o)
HDRS    := $(wildcard lib/*.h)

all: check-libs $(PROGS:%=bin/%)

# One line naming the package when a library is missing.
check-libs:
	@printf '#include <csv.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 || \
	  { echo "jtools: libcsv is missing: install libcsv-dev (or run 'make deps')"; exit 1; }
	@printf '#define PCRE2_CODE_UNIT_WIDTH 8\n#include <pcre2.h>\n' | $(CC) $(PCRE2_CFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "jtools: PCRE2 is missing: install libpcre2-dev (or run 'make deps')"; exit 1; }
	@printf '#include <zlib.h>\n' | $(CC) $(ZIP_CFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "jtools: zlib is missing (gzip inputs): install zlib1g-dev (or run 'make deps')"; exit 1; }
	@printf '#include <stdio.h>\n#include <bzlib.h>\n' | $(CC) $(ZIP_CFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "jtools: libbz2 is missing (bzip2 inputs): install libbz2-dev (or run 'make deps')"; exit 1; }
	@printf '#include <lzma.h>\n' | $(CC) $(ZIP_CFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "jtools: liblzma is missing (xz inputs): install liblzma-dev (or run 'make deps')"; exit 1; }
	@printf '#include <zstd.h>\n' | $(CC) $(ZIP_CFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "jtools: libzstd is missing (zstd inputs): install libzstd-dev (or run 'make deps')"; exit 1; }

# The data folder is compiled in; rebuild it when PREFIX changes.
.prefix: FORCE
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
lib/datadir.o $(FUZZ_DIR)/lib/datadir.o: .prefix
lib/datadir.o $(FUZZ_DIR)/lib/datadir.o: JT_CFLAGS += -DJT_DATADIR='"$(PREFIX)/share/jtools"'
lib/opt.o $(FUZZ_DIR)/lib/opt.o: JT_CFLAGS += -DJT_VERSION='"$(VERSION)"'

# Objects remember the compiler and flags they were built with: another CC,
# CFLAGS or SANITIZE=1 rebuilds everything (no plain object in a sanitized build).
BUILD_FLAGS = $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
.build-flags: FORCE
	@echo '$(subst ','\'',$(BUILD_FLAGS))' | cmp -s - $@ || echo '$(subst ','\'',$(BUILD_FLAGS))' > $@

%.o: %.c $(HDRS) .build-flags
	$(CC) $(JT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

lib/libjtools.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $^

bin:
	mkdir -p bin

bin/%: cmd/%.o lib/libjtools.a | bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Install missing build and test dependencies (apt-get, dnf or brew; sudo when not root).
deps:
	@sh mk/deps.sh install

deps-if-needed:
	@sh mk/deps.sh check >/dev/null 2>&1 || sh mk/deps.sh install

tests/unit/libtest: tests/unit/libtest.c lib/libjtools.a
	$(CC) $(JT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libjtools.a $(LDLIBS)

# jstage whose funnel tries every start as it did before the linear one:
# tests/funnel.bats compares the two on random inputs.
tests/unit/jstage-scan: cmd/jstage.c lib/stage_funnel.c lib/libjtools.a $(HDRS) .build-flags
	$(CC) $(JT_CFLAGS) -DJT_FUNNEL_SCAN=1 $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/jstage.c lib/stage_funnel.c lib/libjtools.a $(LDLIBS)

# ---- fuzzing (tests/fuzz/README.md). Each harness tests/fuzz/NAME.c is built
# two ways: with the normal compiler and replay.c, to replay the corpus and the
# inputs that found bugs in `make check` (tests/fuzz.bats); and with clang's
# libFuzzer, ASan and UBSan for `make fuzz` (FUZZ_TIME seconds each).
FUZZ_NAMES  := csv rules profile time tzif num
FUZZ_TIME   ?= 60
FUZZ_CC     ?= clang
FUZZ_CFLAGS  = -O1 -g $(SAN_FLAGS)
FUZZ_LIBOBJ  = $(LIBSRC:lib/%.c=$(FUZZ_DIR)/lib/%.o)
REPLAY      := $(FUZZ_NAMES:%=tests/fuzz/bin/replay-%)

tests/fuzz/bin/replay-%: tests/fuzz/replay.c tests/fuzz/%.c tests/fuzz/fuzz.h lib/libjtools.a
	@mkdir -p tests/fuzz/bin
	$(CC) $(JT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/replay.c tests/fuzz/$*.c lib/libjtools.a $(LDLIBS)

$(FUZZ_DIR)/lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(FUZZ_DIR)/lib
	$(FUZZ_CC) $(JT_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(JT_CFLAGS) -fsanitize=fuzzer $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIBOBJ) $(LDLIBS)

fuzz-build: check-libs $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz-%)

fuzz:
	@FUZZ_CC=$(FUZZ_CC) sh mk/deps.sh fuzz-check >/dev/null 2>&1 || FUZZ_CC=$(FUZZ_CC) sh mk/deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@sh mk/fuzz.sh $(FUZZ_TIME) $(FUZZ_NAMES)

# The test files run two at a time (CHECK_JOBS): each keeps to its own
# temporary folders, and the suite takes half the time on two cores.
CHECK_JOBS ?= 2
check: deps-if-needed
	@$(MAKE) --no-print-directory all tests/unit/libtest tests/unit/jstage-scan $(REPLAY)
	$(SAN_ENV) prove -j$(CHECK_JOBS) --timer -e bats tests/*.bats

valgrind-check: deps-if-needed
	@command -v valgrind >/dev/null 2>&1 || \
	  { echo "jtools: valgrind is missing: install valgrind (make deps does not: make check needs no valgrind)"; exit 1; }
	@$(MAKE) --no-print-directory all tests/unit/libtest tests/unit/jstage-scan $(REPLAY)
	JT_VALGRIND=1 prove -e bats tests/*.bats

demo: deps-if-needed
	@$(MAKE) --no-print-directory all
	@sh mk/demo.sh

# GNU time for the peak RSS column; the bench goes on without it
bench: all
	@sh mk/deps.sh bench-check >/dev/null 2>&1 || sh mk/deps.sh bench || true
	sh bench/run.sh

lint-man:
	for m in man/man*/*.[1-9]; do mandoc -Tlint -Wwarning $$m && groff -mandoc -ww -z $$m; done

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	         $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	         $(DESTDIR)$(PREFIX)/share/jtools
	for p in $(PROGS); do cp bin/$$p $(DESTDIR)$(PREFIX)/bin/$$p; done
	for s in 1 5 7; do for m in man/man$$s/*.$$s; do [ -e "$$m" ] && cp $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done; done; true
	cp -R share/jtools/. $(DESTDIR)$(PREFIX)/share/jtools/

clean:
	rm -rf bin cmd/*.o lib/*.o lib/*.a .prefix .build-flags tests/unit/libtest tests/unit/jstage-scan tests/fuzz/bin build

FORCE:
.PHONY: all check-libs deps deps-if-needed check valgrind-check fuzz fuzz-build demo bench lint-man install clean FORCE
.SECONDARY: $(LIBOBJ) $(PROGS:%=cmd/%.o) $(FUZZ_LIBOBJ)
