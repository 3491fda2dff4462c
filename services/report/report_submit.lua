-- report_submit.lua: report.submit (after the outbox prelude).
-- KEYS[4] "{PP}:report:<month>:<agency>"
-- ARGV[4] month  ARGV[5] agency  ARGV[6] body (innov.LedgerReport)  ARGV[7] revision read
-- ("0": none)  ARGV[8] new revision  ARGV[9] first submission ms  ARGV[10] late 0/1
-- ARGV[11] amended after the deadline 0/1  ARGV[12] event subject "ledger:<month>:<agency>"
-- ARGV[13] city routing attribute  ARGV[14] department routing attribute
-- The caller read the stored report at ARGV[7] and built the new one over it (the first
-- submission's time and lateness stay); if it changed meanwhile this answers 409
-- "stale" and writes nothing, and the caller reads again.

local REPORT = KEYS[4]
local MONTH, AGENCY, BODY, READ = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local REVISION, FIRST, LATE, AMENDED = ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local SUBJECT, CITY, DEPT = ARGV[12], ARGV[13], ARGV[14]

local function main ()
  local stored = redis.call ('HGET', REPORT, 'revision') or '0'
  if stored ~= READ then
    return fail (409, 'the report of ' .. AGENCY .. ' for ' .. MONTH .. ' changed meanwhile', '', 'stale')
  end
  redis.call ('HSET', REPORT, 'body', BODY, 'revision', REVISION, 'first', FIRST,
              'late', LATE, 'amended', AMENDED)
  emit ('report.submitted', SUBJECT, 'innov.LedgerReport', BODY, { city = CITY, department = DEPT })
  return reply (200, 'submitted', BODY)
end
