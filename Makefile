# SPDX-License-Identifier: GPL-2.0
#
#   make                 build the module (against KDIR) and the tools
#   make module          the module only;  make tools: the tools only
#   make check           unit tests, then the guest tests on every kernel line
#   make unit            userspace unit tests only
#   make guest           guest tests only (LINES="6.1 6.12 sid rt" by default)
#   make demo            the main job: the 2017 litmus under hw and end-only
#   make coverage        notifier call sites the scenario suite reaches, per line
#   make stress DURATION=S  stress-ng memory stressors under tlbsan run, S s each
#   make soak DURATION=S  scenarios and stress-ng on hw and sw for S s per line, silent
#   make check-mutants   6.1 kernels with historical notifier bugs put back, each caught
#   make check-debug     the guest suite on a 6.1 KASAN/lockdep/kmemleak/UBSAN kernel
#   make style           checkpatch --strict on module/ (needs linux-source)
#   make sparse          sparse (C=2) over module/
#
KDIR ?= /lib/modules/$(shell uname -r)/build
LINES ?= 6.1 6.12 sid rt

CC ?= gcc
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
TOOL_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I$(CURDIR)/uapi -I$(CURDIR)/tools $(NL_CFLAGS)
UNIT_CFLAGS := -I$(CURDIR)/tests/unit/shim $(TOOL_CFLAGS) -I$(CURDIR) -I$(CURDIR)/module -I$(CURDIR)/tests/unit

TOOLS := tools/tlbsan tools/tlbsan-scenario tests/guest/workload tests/guest/memctl tests/guest/nlfuzz
UNIT := tests/unit/run-unit

.PHONY: all module tools clean check unit guest demo coverage stress style sparse conftest check-mutants check-debug soak

all: module tools

# Feature probes are rerun whenever the target tree or the probe script
# changes; the header is only rewritten when a probe answer changed.
module/conftest.h: module/conftest.sh FORCE
	@sh module/conftest.sh $(KDIR) $@

module: module/conftest.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tools: $(TOOLS)

tools/tlbsan: $(wildcard tools/*.c tools/*.h) uapi/tlbsan.h
	$(CC) $(TOOL_CFLAGS) -o $@ $(filter %.c,$^) $(NL_LIBS) -lpthread

tools/tlbsan-scenario: $(wildcard tools/scenarios/*.c tools/scenarios/*.h) tools/nl.c tools/nl.h uapi/tlbsan.h
	$(CC) $(TOOL_CFLAGS) -I$(CURDIR)/tools/scenarios -o $@ $(filter %.c,$^) $(NL_LIBS) -lpthread

tests/guest/%: tests/guest/%.c
	$(CC) $(TOOL_CFLAGS) -o $@ $< -lpthread

$(UNIT): module/tlb.c module/oracle.c $(wildcard tests/unit/*.c tests/unit/*.h uapi/*.h) $(filter-out module/conftest.h,$(wildcard module/*.h))
	$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^)

unit: $(UNIT)
	./$(UNIT)

guest: tools
	tests/run.sh --guest-only $(LINES)

check:
	tests/run.sh $(LINES)

demo:
	tests/demo.sh

coverage:
	tests/coverage.sh $(LINES)

stress:
	DURATION=$(or $(DURATION),10) tests/stress.sh $(LINES)

soak:
	DURATION=$(or $(DURATION),600) tests/soak.sh $(LINES)

check-mutants:
	tests/mutants.sh $(MUTANT_OPTS) $(MUTANTS)

check-debug:
	tests/debug-kernel.sh $(DEBUG_SUITES)

sparse: module/conftest.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF=-D__CHECK_ENDIAN__ modules

style:
	tests/style.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f module/conftest.h $(TOOLS) $(UNIT)

FORCE:
