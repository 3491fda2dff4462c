# Build, test and run the innovation full-coverage platform.
#
#   make          build every library, service, tool and test into build/
#   make deps     install the Debian packages that are missing (nothing when all are there)
#   make run      deps + build + start Redis, broker and every service with demo data
#   make test     deps + build + every unit and integration test, with a summary line
#   make asan     the same tests built with AddressSanitizer + UBSan (build/asan/)
#   make valgrind the unit tests under valgrind memcheck
#   make bench    deps + build + the benchmarks (ratios against baselines of the same run)
#
# Layout: generated code (protoc-c output, embedded Lua and tables) goes to build/gen;
# objects and binaries to $(BUILD) (build/ by default, build/asan for `make asan`).
# Sources are found by wildcard: a new service is a new folder under services/, a new
# test a new tests/unit/test_*.c or tests/integration/test_*.c; nothing here changes.

BUILD    ?= build
GEN      := build/gen
SAN      ?=
PKGS     := libczmq libzmq hiredis libprotobuf-c xlsxwriter libcurl libsodium libmicrohttpd jansson
DEB_PKGS := build-essential pkg-config libczmq-dev libzmq3-dev libhiredis-dev \
            libprotobuf-c-dev protobuf-c-compiler redis-server redis-tools libcmocka-dev \
            libxlsxwriter-dev unzip libcurl4-openssl-dev libsodium-dev \
            libmicrohttpd-dev libjansson-dev chromium fonts-noto-cjk clang libclang-rt-14-dev \
            valgrind

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
            -I$(GEN) -Icommon -Itests/lib $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -lpthread
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

PROTOS      := $(wildcard proto/*.proto)
PB_C        := $(patsubst proto/%.proto,$(GEN)/%.pb-c.c,$(PROTOS))
PB_H        := $(PB_C:.c=.h)
COMMON_SRC  := $(wildcard common/*.c)
COMMON_LUA  := $(wildcard common/*.lua)
COMMON_GEN  := $(GEN)/common_lua.c $(GEN)/divisions_data.c

SERVICES    := $(notdir $(wildcard services/*))
TOOLS       := $(notdir $(patsubst %/,%,$(wildcard tools/*/)))
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
INTEG_SRC   := $(wildcard tests/integration/test_*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBINNOV    := $(BUILD)/libinnov.a
SVC_LIBS    := $(foreach s,$(SERVICES),$(BUILD)/lib$(s).a)
SVC_BINS    := $(foreach s,$(SERVICES),$(BUILD)/bin/$(s))
TOOL_BINS   := $(foreach t,$(TOOLS),$(BUILD)/bin/$(t))
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
INTEG_BINS  := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(INTEG_SRC))
TESTLIB     := $(BUILD)/libtestlib.a

.PHONY: all deps run test test-unit test-integration test-cluster asan valgrind bench clean
.SECONDARY:
.SECONDEXPANSION:

all: $(SVC_BINS) $(TOOL_BINS) $(UNIT_BINS) $(INTEG_BINS)

# ---- set-up ---------------------------------------------------------------------------
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# ---- generated code -------------------------------------------------------------------
$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h: proto/%.proto
	@mkdir -p $(GEN)
	protoc-c --c_out=$(GEN) -Iproto $<

$(GEN)/common_lua.c: $(COMMON_LUA) tools/embed.sh
	@mkdir -p $(GEN)
	tools/embed.sh $@ inv_lua $(COMMON_LUA)

$(GEN)/divisions_data.c: data/shanxi_divisions.csv data/shanxi_departments.csv tools/embed.sh
	@mkdir -p $(GEN)
	tools/embed.sh $@ inv_table data/shanxi_divisions.csv data/shanxi_departments.csv

$(GEN)/%_lua.c: tools/embed.sh $$(wildcard services/$$*/*.lua)
	@mkdir -p $(GEN)
	tools/embed.sh $@ $*_lua $(wildcard services/$*/*.lua)

# A service's web files (services/<svc>/www/*) as a table of byte arrays:
# `const struct { const char *name; const unsigned char *data; size_t size; } <svc>_www[]`,
# ended by a NULL name, so the files are served from the binary.
$(GEN)/%_www.c: $$(wildcard services/$$*/www/*)
	@mkdir -p $(GEN)
	@{ echo "/* generated from services/$*/www; do not edit */"; echo "#include <stddef.h>"; \
	  i=0; for f in $(sort $(wildcard services/$*/www/*)); do [ -f "$$f" ] || continue; \
	    echo "static const unsigned char f$$i [] = {"; \
	    od -An -v -tx1 "$$f" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; echo "0 };"; i=$$((i+1)); done; \
	  echo "const struct { const char *name; const unsigned char *data; size_t size; } $*_www [] = {"; \
	  i=0; for f in $(sort $(wildcard services/$*/www/*)); do [ -f "$$f" ] || continue; \
	    echo "  { \"$$(basename "$$f")\", f$$i, $$(wc -c < "$$f") },"; i=$$((i+1)); done; \
	  echo "  { NULL, NULL, 0 }"; echo "};"; } > $@.tmp && mv $@.tmp $@

# ---- objects --------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(PB_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/%.o: $(GEN)/%.c $(PB_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-parameter -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- libraries ------------------------------------------------------------------------
$(LIBINNOV): $(call obj,$(COMMON_SRC)) $(patsubst $(GEN)/%.c,$(BUILD)/obj/gen/%.o,$(PB_C) $(COMMON_GEN))
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(BUILD)/lib%.a: $$(call obj,$$(filter-out services/$$*/main.c,$$(wildcard services/$$*/*.c))) \
                 $$(if $$(wildcard services/$$*/*.lua),$(BUILD)/obj/gen/$$*_lua.o) \
                 $$(if $$(wildcard services/$$*/www/*),$(BUILD)/obj/gen/$$*_www.o)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(TESTLIB): $(call obj,$(TESTLIB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

LINK_LIBS = -Wl,--start-group $(SVC_LIBS) $(LIBINNOV) -Wl,--end-group

# Tools may use the process harness of tests/lib (the benchmark starts its own stack).
# A binary links its own objects (and embedded Lua) with libinnov only.
$(BUILD)/bin/%: $$(call obj,$$(wildcard services/$$*/*.c) $$(wildcard tools/$$*/*.c)) \
                $$(if $$(wildcard services/$$*/*.lua),$(BUILD)/obj/gen/$$*_lua.o) \
                $$(if $$(wildcard services/$$*/www/*),$(BUILD)/obj/gen/$$*_www.o) $(LIBINNOV) $(TESTLIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(TESTLIB) $(LIBINNOV) $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB) $(SVC_LIBS) $(LIBINNOV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB) $(LINK_LIBS) $(LDLIBS) -lcmocka

$(BUILD)/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(TESTLIB) $(SVC_LIBS) $(LIBINNOV)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB) $(LINK_LIBS) $(LDLIBS) -lcmocka

# ---- running --------------------------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	deploy/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	tests/run.sh $(BUILD)

test-unit: all
	tests/run.sh $(BUILD) unit

test-integration: all
	tests/run.sh $(BUILD) integration

# The multi-host suite: five hosts in network namespaces, CURVE on every ZeroMQ link,
# Redis with Sentinel, faults under load (tests/cluster/run.sh). Needs root.
test-cluster: deps
	@$(MAKE) --no-print-directory all
	tests/cluster/run.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 tests/run.sh build/asan

valgrind: deps
	@$(MAKE) --no-print-directory all
	RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	  TEST_TIMEOUT=900 tests/run.sh $(BUILD) unit

bench: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/bin/bench
	INNOV_BIN_DIR=$(abspath $(BUILD))/bin $(BUILD)/bin/bench-registry
	INNOV_BIN_DIR=$(abspath $(BUILD))/bin $(BUILD)/bin/bench-notify
	INNOV_BIN_DIR=$(abspath $(BUILD))/bin $(BUILD)/bin/bench-gateway
	INNOV_BIN_DIR=$(abspath $(BUILD))/bin $(BUILD)/bin/bench-report
	INNOV_BIN_DIR=$(abspath $(BUILD))/bin $(BUILD)/bin/bench-pairing
	INNOV_BIN_DIR=$(abspath $(BUILD))/bin $(BUILD)/bin/bench-catalogue

clean:
	rm -rf build

# Fuzzing (libFuzzer + ASan + UBSan, clang): make fuzz [FUZZ_SECONDS=60]
-include tests/fuzz/fuzz.mk
