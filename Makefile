# Makefile - builds jumpdeck, its tests and benchmarks. Plain make, flags from
# pkg-config. `make demo` and `make test` first install missing dependencies.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/jumpdeck
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DESTDIR ?=
BUILD ?= build
CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
CPPFLAGS ?=

PKGS := ncursesw libcurl libcjson yaml-0.1 libssh libcrypto
PKG_CFLAGS = $(filter-out -D_XOPEN_SOURCE% -D_DEFAULT_SOURCE,\
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wcast-qual -Wundef -Wwrite-strings -Werror
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
	-D_XOPEN_SOURCE_EXTENDED $(WARN) -MMD -MP -I. -I$(BUILD)/gen \
	$(PKG_CFLAGS) -DJD_DATADIR='"$(DATADIR)"' $(CPPFLAGS) $(CFLAGS)

LIB_SRC := $(wildcard backend/*.c) $(wildcard panes/*.c) $(wildcard tui/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/default_theme.o
MAIN_SRC := $(wildcard cli/*.c)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
# The CLI without main(), for the tests of its printers.
CLI_OBJ := $(filter-out $(BUILD)/cli/main.o,$(MAIN_OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_TIME ?= 30
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all deps build-tests test check test-asan check-asan demo bench \
	install uninstall clean format lint readme-keys deb test-deb fuzz \
	fuzz-build

all: $(BUILD)/jumpdeck

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/default_theme.c: themes/default.theme scripts/embed.sh
	@mkdir -p $(dir $@)
	@scripts/embed.sh default_theme_text $< > $@

$(BUILD)/gen/default_theme.o: $(BUILD)/gen/default_theme.c
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libjd.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/libcli.a: $(CLI_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/jumpdeck: $(MAIN_OBJ) $(BUILD)/libjd.a
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/libjd.a $(PKG_LIBS) \
		-lpthread $(LDFLAGS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcli.a $(BUILD)/libjd.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcli.a $(BUILD)/libjd.a \
		$(PKG_LIBS) \
		$(CMOCKA_LIBS) -lpthread $(LDFLAGS)

$(BUILD)/tests/%: tests/integration/%.c $(BUILD)/libjd.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libjd.a $(PKG_LIBS) \
		$(CMOCKA_LIBS) -lpthread $(LDFLAGS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libcli.a $(BUILD)/libjd.a
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcli.a $(BUILD)/libjd.a \
		$(PKG_LIBS) -lpthread $(LDFLAGS)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libcli.a \
		$(BUILD)/libjd.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcli.a $(BUILD)/libjd.a \
		$(PKG_LIBS) -lpthread $(LDFLAGS)

build-tests: $(BUILD)/jumpdeck $(UNIT_BIN) $(INTEG_BIN)

# The README's test command: dependencies, build, every test.
test: deps
	@$(MAKE) --no-print-directory check

# The integration and end-to-end tests run JOBS at a time (most of their
# time is spent waiting on simulators and terminals); JOBS=1 runs them one
# after another.
JOBS ?= 4

check: build-tests
	@BUILD=$(BUILD) JOBS=$(JOBS) tests/run.sh

# Unit and integration tests under AddressSanitizer + UBSan.
test-asan: deps
	@$(MAKE) --no-print-directory check-asan

check-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" build-tests
	@BUILD=build-asan JD_SANITIZED=1 JOBS=$(JOBS) tests/run.sh unit \
		integration

# libFuzzer targets (tests/fuzz/), built by clang with ASan and UBSan in
# build-fuzz, each run for FUZZ_TIME seconds from its seed corpus.
fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=build-fuzz FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g -fno-omit-frame-pointer \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		LDFLAGS="-fsanitize=fuzzer $(FUZZ_SAN)" \
		$(patsubst $(BUILD)/%,build-fuzz/%,$(FUZZ_BIN))

# The README's first command: build, start the simulated world, open the TUI.
demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/demo.sh

bench: $(BUILD)/jumpdeck $(BENCH_BIN)
	@scripts/deps.sh bench
	@BUILD=$(BUILD) tests/bench/run.sh

readme-keys: $(BUILD)/jumpdeck
	@BUILD=$(BUILD) scripts/readme-keys.sh

install: $(BUILD)/jumpdeck
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BUILD)/jumpdeck $(DESTDIR)$(BINDIR)/jumpdeck
	install -m 644 doc/jumpdeck.1 $(DESTDIR)$(MANDIR)/man1/jumpdeck.1
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -m 644 completions/jumpdeck.bash \
		$(DESTDIR)$(BASHCOMPDIR)/jumpdeck
	install -m 644 completions/_jumpdeck $(DESTDIR)$(ZSHCOMPDIR)/_jumpdeck

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/jumpdeck $(DESTDIR)$(MANDIR)/man1/jumpdeck.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/jumpdeck $(DESTDIR)$(ZSHCOMPDIR)/_jumpdeck
	rm -rf $(DESTDIR)$(DATADIR)

# The Debian package (debian/, dpkg-buildpackage, lintian) in $(BUILD)/deb.
deb:
	@scripts/deps.sh deb
	@BUILD=$(BUILD) scripts/make-deb.sh

# The package installed into a clean Debian 12 root (debootstrap), run
# there against the simulated cluster. Slow the first time (a cache keeps
# the root and the packages); not part of `make check`.
test-deb: deb
	@BUILD=$(BUILD) tests/deb/test_deb.sh

# The project's C habits (scripts/checksrc.py) and cppcheck's warnings.
lint:
	python3 scripts/checksrc.py
	cppcheck --quiet --enable=warning,portability,performance --std=c11 \
		--library=scripts/cppcheck-jumpdeck.cfg -I. -D_DEFAULT_SOURCE \
		--inline-suppr --error-exitcode=1 -j2 backend cli tui panes

format:
	clang-format -i $(LIB_SRC) $(MAIN_SRC) backend/*.h panes/*.h tui/*.h cli/*.h

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
