#!/bin/sh
# run.sh BUILD_DIR [unit|integration]: run every test binary, then one summary line.
#
# Each binary is a cmocka group; its "[  PASSED  ] N" and "[  FAILED  ] N" lines are
# added up. A binary that crashes or times out before printing its summary counts as
# one failure. RUNNER (e.g. "valgrind --error-exitcode=9") prefixes each binary.
# The last line is "N passed, N failed" and the exit code is non-zero
# when anything failed. TEST_TIMEOUT (seconds per binary, default 300) bounds a hang.
build=${1:-build}
only=${2:-}
export INNOV_BIN_DIR="$(cd "$build/bin" 2>/dev/null && pwd)"
timeout_s=${TEST_TIMEOUT:-300}
passed=0; failed=0; failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for kind in unit integration; do
  [ -n "$only" ] && [ "$only" != "$kind" ] && continue
  for t in "$build"/tests/$kind/test_*; do
    [ -x "$t" ] || continue
    name="$kind/$(basename "$t")"
    start=$(date +%s)
    timeout -k 10 "$timeout_s" ${RUNNER:-} "$t" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
      echo "FAIL $name ($p passed, $f failed, exit $rc, ${secs}s)"
      sed 's/^/    /' "$log" | tail -60
      failures="$failures $name"
    else
      echo "ok   $name ($p passed, ${secs}s)"
    fi
  done
done
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
