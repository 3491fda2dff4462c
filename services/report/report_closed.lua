-- report_closed.lua: one enterprise closed (销号) in a month, from its enterprise.closed
-- event (after the outbox prelude; the follower of consumer group "report" runs it).
-- KEYS[4] "{PP}:report.closed:<month>"      sorted set: credit code -> closing time
-- KEYS[5] "{PP}:report.closed.ent:<month>"  hash: credit code -> innov.ClosedEnterprise
-- KEYS[6] "{PP}:report.closed.cnt:<month>"  hash: "province", "city:<c>", "dept:<d>" -> count
-- ARGV[4] credit code  ARGV[5] time ms  ARGV[6] innov.ClosedEnterprise  ARGV[7] city  ARGV[8] dept
-- A derived index of the registry's own events: it emits nothing. An event delivered
-- twice finds the code already in the set and counts nothing again.

local SET, ENT, CNT = KEYS[4], KEYS[5], KEYS[6]
local CODE, TIME, BODY, CITY, DEPT = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]

local function main ()
  if redis.call ('ZADD', SET, 'NX', TIME, CODE) == 0 then
    return reply (200, 'known', '')
  end
  redis.call ('HSET', ENT, CODE, BODY)
  redis.call ('HINCRBY', CNT, 'province', 1)
  if CITY ~= '' then redis.call ('HINCRBY', CNT, 'city:' .. CITY, 1) end
  if DEPT ~= '' then redis.call ('HINCRBY', CNT, 'dept:' .. DEPT, 1) end
  return reply (200, 'added', '')
end
