# Fuzzing: libFuzzer targets built with clang, ASan and UBSan (docs/fuzzing.md).
#
#   make fuzz                         build every target, run each FUZZ_SECONDS (60) on a
#                                     copy of its seed corpus, one summary line at the end
#   make fuzz FUZZ_SECONDS=600        longer runs
#   make fuzz FUZZ_TARGETS=fuzz_json  some targets only
#   make fuzz-build                   build only (build/fuzz/bin/)
#
# The common library and the service libraries are compiled again into build/fuzz with
# the same rules as every build (a sub-make with CC=clang and the sanitizer flags,
# -fsanitize=fuzzer-no-link so libFuzzer sees their coverage); each target is one
# tests/fuzz/<target>.c linked with -fsanitize=fuzzer.

FUZZ_BUILD    := build/fuzz
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   := -O1 -g $(FUZZ_SAN)
# services whose request tables fuzz_services drives (each must have a lib<svc>.a)
FUZZ_SERVICES ?= registry notify pairing catalogue report problems
FUZZ_ALL      := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_LIBS      = $(foreach s,broker $(FUZZ_SERVICES),$(FUZZ_BUILD)/lib$(s).a) $(FUZZ_BUILD)/libinnov.a

.PHONY: fuzz fuzz-build fuzz-libs fuzz-libs-gateway

fuzz-libs:
	@CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" $(MAKE) --no-print-directory \
	  BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SAN= $(FUZZ_LIBS)

$(FUZZ_BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h fuzz-libs
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -std=gnu11 -Wall -Wextra -Werror \
	  -Wno-missing-field-initializers -I$(GEN) -Icommon -Iservices $(PKG_CFLAGS) \
	  $(foreach s,$(FUZZ_SERVICES),-DFUZZ_SVC_$(s)) -o $@ $< \
	  -Wl,--start-group $(FUZZ_LIBS) -Wl,--end-group $(PKG_LIBS) -lm -lpthread

# fuzz_http also links the gateway's library (built on its own, so the other targets
# do not wait on it)
fuzz-libs-gateway: fuzz-libs
	@CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" $(MAKE) --no-print-directory \
	  BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SAN= $(FUZZ_BUILD)/libgateway.a

$(FUZZ_BUILD)/bin/fuzz_http: tests/fuzz/fuzz_http.c tests/fuzz/fuzz.h fuzz-libs-gateway
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -std=gnu11 -Wall -Wextra -Werror \
	  -Wno-missing-field-initializers -I$(GEN) -Icommon -Iservices $(PKG_CFLAGS) -o $@ $< \
	  -Wl,--start-group $(FUZZ_BUILD)/libgateway.a $(FUZZ_LIBS) -Wl,--end-group $(PKG_LIBS) -lm -lpthread

fuzz-build: $(addprefix $(FUZZ_BUILD)/bin/,$(FUZZ_TARGETS))

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BUILD)/bin $(FUZZ_TARGETS)
