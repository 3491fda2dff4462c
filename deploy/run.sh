#!/bin/sh
# run.sh: start the whole platform locally, for `make run`.
#
# Redis (data in var/redis, AOF on), the broker, every service built under build/bin
# that has a folder in services/, then the demo data set (Shanxi's real divisions, a few
# hundred generated enterprises with valid credit codes). Logs go to var/log/. Ctrl-C
# (or SIGTERM) stops everything cleanly, services first, Redis last.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${BIN:-$root/build/bin}
var=${VAR:-$root/var}
mkdir -p "$var/redis" "$var/log"

export INNOV_REDIS=${INNOV_REDIS:-127.0.0.1:7712}
export INNOV_BROKER=${INNOV_BROKER:-tcp://127.0.0.1:7710}
export INNOV_BROKER_BIND=${INNOV_BROKER_BIND:-$INNOV_BROKER}
export INNOV_EVENTS=${INNOV_EVENTS:-tcp://127.0.0.1:7711}
export INNOV_EVENTS_BIND=${INNOV_EVENTS_BIND:-$INNOV_EVENTS}
redis_port=${INNOV_REDIS##*:}

pids=""
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for p in $pids; do kill -TERM "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  if [ -n "${redis_pid:-}" ]; then
    redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || kill -TERM "$redis_pid" 2>/dev/null
    wait "$redis_pid" 2>/dev/null
  fi
  echo "stopped."
  exit 0
}
trap stop INT TERM EXIT

http=${INNOV_HTTP:-127.0.0.1:7780}
for p in "$redis_port" "${INNOV_BROKER##*:}" "${INNOV_EVENTS##*:}" "${http##*:}"; do
  if command -v bash >/dev/null && bash -c "echo >/dev/tcp/127.0.0.1/$p" 2>/dev/null; then
    echo "run: port $p is already in use (another 'make run'?); stop it first" >&2
    trap - INT TERM EXIT; exit 1
  fi
done

redis-server "$root/deploy/redis.conf" --port "$redis_port" --dir "$var/redis" \
  >"$var/log/redis.log" 2>&1 &
redis_pid=$!
i=0; until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do
  i=$((i+1)); [ $i -gt 100 ] && { echo "run: redis did not start, see $var/log/redis.log" >&2; exit 1; }
  sleep 0.1
done
echo "redis     $INNOV_REDIS (AOF in $var/redis)"

start() {
  "$bin/$1" >>"$var/log/$1.log" 2>&1 &
  pids="$! $pids"
}
start broker
sleep 0.3
echo "broker    $INNOV_BROKER   events $INNOV_EVENTS"
for dir in services/*/; do
  svc=$(basename "$dir")
  [ "$svc" = broker ] && continue
  [ -x "$bin/$svc" ] || continue
  start "$svc"
  echo "service   $svc"
done

i=0; until "$bin/innovctl" --timeout-ms 500 --retries 1 services 2>/dev/null | grep -q registry; do
  i=$((i+1)); [ $i -gt 60 ] && { echo "run: registry did not register, see $var/log/" >&2; exit 1; }
  sleep 0.2
done
echo "demo data: $("$bin/gendata" --count 300 --seed 1 --load 2>>"$var/log/gendata.log")"
# Each service may add demo data of its own with deploy/demo/<service>.sh, run in
# name order once the enterprises are loaded (PATH has the built tools).
for demo in deploy/demo/*.sh; do
  [ -f "$demo" ] || continue
  if PATH="$bin:$PATH" sh "$demo" >>"$var/log/demo.log" 2>&1; then
    echo "demo data: $(basename "$demo" .sh)"
  else
    echo "run: $demo failed, see $var/log/demo.log" >&2
  fi
done

cat <<MSG

The platform is running (logs in var/log/). In another shell, try:

  export PATH="$bin:\$PATH"
  innovctl enterprise list --city 140100        # demo enterprises of 太原市
  innovctl enterprise count --by city           # the ledger by city and status
  innovctl events tail --since 0 --count 5      # the first events, then live ones
  innovctl coverage --by city                   # pairing coverage (太原 is fully covered)

Dashboard: http://${INNOV_HTTP:-127.0.0.1:7780}/  (token of the province: $var/dashboard-token)

Ctrl-C stops everything.
MSG
# Watch the processes: one that exits is reported once, with its log.
while :; do
  alive=""
  for p in $pids; do
    if kill -0 "$p" 2>/dev/null; then alive="$alive $p"
    else echo "run: process $p exited; see the logs in var/log/" >&2; fi
  done
  pids=$alive
  sleep 2 &
  wait $! 2>/dev/null
done
