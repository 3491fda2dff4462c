-- report_snapshot.lua: store a month's snapshot once (after the outbox prelude).
-- KEYS[4] "{PP}:report.snap:<month>"   ARGV[4] month   ARGV[5] innov.MonthSnapshot
-- The first snapshot stored for a month stays: a second one answers "exists" and
-- writes nothing, so several instances (the tick, a read) may race safely.

local SNAP = KEYS[4]
local MONTH, BODY = ARGV[4], ARGV[5]

local function main ()
  if redis.call ('EXISTS', SNAP) == 1 then
    return reply (200, 'exists', '')
  end
  redis.call ('SET', SNAP, BODY)
  emit ('report.snapshot_taken', MONTH, 'innov.MonthSnapshot', BODY)
  return reply (200, 'taken', '')
end
