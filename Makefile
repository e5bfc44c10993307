# Release builds for installing: a self-contained `luaffi` and the `ffi.so` module for
# Debian's stock lua5.4. Both carry the Swift runtime (and libstdc++ when its static
# archive is present), so the machine they run on needs no Swift toolchain: only
# libffi8 and libc, plus liblua5.4-0 for luaffi (stock lua5.4 brings its own Lua).
#
#   make                                  build both into .build-dist/release
#   make install PREFIX=/usr DESTDIR=pkg  install bin/luaffi and lib/lua/5.4/ffi.so
#   make install-module LIBDIR=dir        the module alone (what luarocks runs)
#   make uninstall                        remove what install put there
#
# Development builds and tests do not use this file: see README (scripts/test).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LUA_VERSION = 5.4
# Where lua5.4 looks for C modules (package.cpath); luarocks passes its own LIBDIR.
LIBDIR ?= $(PREFIX)/lib/lua/$(LUA_VERSION)
DESTDIR ?=
SWIFT ?= swift
SCRATCH ?= .build-dist

# -lstdc++, which the Swift runtime asks for, finds the static archive first in this
# folder: a shared libstdc++ costs a third of start-up in symbol lookups.
STATIC_LIBS = $(SCRATCH)/static-libs
SWIFT_FLAGS = -c release --scratch-path $(SCRATCH) --static-swift-stdlib \
	-Xswiftc -static-stdlib -Xlinker -L$(abspath $(STATIC_LIBS))
BUILT = $(SCRATCH)/release
# SwiftPM compiles C with the CC it finds in the environment; luarocks sets CC=gcc,
# which cannot build Swift's C targets. Swift picks its own clang.
SWIFT_BUILD = env -u CC -u CFLAGS -u LDFLAGS $(SWIFT) build $(SWIFT_FLAGS)

.PHONY: all luaffi module install install-luaffi install-module uninstall clean

all: luaffi module

$(STATIC_LIBS):
	mkdir -p $@
	archive=$$(gcc -print-file-name=libstdc++.a); \
	if [ -f "$$archive" ]; then ln -sf "$$archive" $@/libstdc++.a; \
	else echo "note: no libstdc++.a (Debian: libstdc++-12-dev); linking the shared libstdc++" >&2; fi

# No PIE: with PIE the loader rewrites ~28,000 addresses in Swift's metadata at every
# start (70 more page faults, a third more start-up time). Address randomisation of
# the interpreter's own code protects nothing from the scripts it runs: they reach
# any address through the ffi.
luaffi: $(STATIC_LIBS)
	$(SWIFT_BUILD) -Xlinker -no-pie --product luaffi

module: $(STATIC_LIBS)
	$(SWIFT_BUILD) --product luaffi-module

install: install-luaffi install-module

install-luaffi: luaffi
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BUILT)/luaffi $(DESTDIR)$(BINDIR)/luaffi

# The module is installed as ffi.so with bit.so beside it: LuaJIT's `bit` module
# lives in the same file (luaopen_bit).
install-module: module
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0755 $(BUILT)/libluaffi-module.so $(DESTDIR)$(LIBDIR)/ffi.so
	ln -sf ffi.so $(DESTDIR)$(LIBDIR)/bit.so

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/luaffi $(DESTDIR)$(LIBDIR)/ffi.so $(DESTDIR)$(LIBDIR)/bit.so

clean:
	rm -rf $(SCRATCH)
