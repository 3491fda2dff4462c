#!/bin/sh
# Run libFuzzer targets for FUZZ_SECONDS each (default 60) on a copy of their seed
# corpus (tests/fuzz/corpus/<target>, never written to), with the target's dictionary
# (tests/fuzz/<target>.dict) and options (tests/fuzz/<target>.options: extra flags)
# when present. Prints one line per target and "N passed, N failed"; exits 1 when a
# target crashed. A crash's input (and the log) is copied to build/fuzz/crashes/<target>/.
# Runs may go on side by side: each works in its own temporary directory.
#   tests/fuzz/run.sh build/fuzz/bin [target...]
bindir=${1:?usage: run.sh BINDIR [target...]}
shift
seconds=${FUZZ_SECONDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
targets=${*:-$(cd "$bindir" && ls fuzz_* 2>/dev/null)}
passed=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/innov-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
for t in $targets; do
    bin="$bindir/$t"
    if [ ! -x "$bin" ]; then
        echo "$t: not built"; failed=$((failed + 1)); continue
    fi
    mkdir -p "$work/$t/corpus" "$work/$t/found"
    [ -d "$here/corpus/$t" ] && cp "$here/corpus/$t"/* "$work/$t/corpus/" 2>/dev/null
    dict=""
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    opts=""
    [ -f "$here/$t.options" ] && opts=$(grep -v '^#' "$here/$t.options")
    log="$work/$t.log"
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=3072 \
        -artifact_prefix="$work/$t/found/" $dict $opts "$work/$t/corpus" > "$log" 2>&1
    rc=$?
    crashes=$(ls "$work/$t/found" | wc -l)
    if [ "$crashes" -gt 0 ] || [ "$rc" -ne 0 ]; then
        mkdir -p "$root/build/fuzz/crashes/$t"
        cp "$work/$t/found"/* "$root/build/fuzz/crashes/$t/" 2>/dev/null
        cp "$log" "$root/build/fuzz/crashes/$t/last.log"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        echo "$t: ${execs:-0} executions in ${seconds}s (${rate:-0}/s, coverage ${cov:-0}), 0 crashes: passed"
        passed=$((passed + 1))
    else
        echo "$t: ${execs:-?} executions, FAILED (exit $rc, ${crashes} saved input(s) in build/fuzz/crashes/$t)"
        grep -E 'ERROR|SUMMARY|Assertion|abort|#[0-9]+ 0x.* in [a-z_]' "$log" | grep -v 'in fuzzer::' | head -15 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
