-- pairing_project.lua: registry events into the enterprise projection, several per call
-- (after the outbox prelude and pairing_common.lua).
-- ARGV[4..]: groups of ten: kind ("e": a whole record, "s": a status change), credit code,
-- version, city, county, department, industry, cluster, status number, mentor capacity
-- (for "s" empty attributes keep the stored ones). An event whose version is not newer
-- than the stored one was handled before and changes nothing (at-least-once delivery).
-- An enterprise that becomes ACTIVE or CLOSED ends its pairing; a mentor that closes
-- releases its mentees. Returns the number of events applied in the message.

local function project (kind, code, v, city, county, dept, ind, cluster, st, cap)
  local e = ent_get (code)
  if e and num (e.v) >= num (v) then return 0 end
  if not e then e = ent_blank () end
  unsettle (code, e)
  if e.mc == '1' then uncandidate (code, e) end
  if kind == 'e' or city ~= '' then
    e.city, e.county, e.dept, e.cluster = city, county, dept, cluster
  end
  if kind == 'e' then e.ind, e.cap = ind, cap end
  e.st, e.v = st, v
  redis.call ('HSET', k ('ent:' .. code), 'city', e.city, 'county', e.county, 'dept', e.dept,
              'ind', e.ind, 'cluster', e.cluster, 'st', e.st, 'cap', e.cap, 'v', e.v)
  if e.load == '' then redis.call ('HSET', k ('ent:' .. code), 'load', 0); e.load = '0' end
  if (st == '3' or st == '4') and e.pid ~= '' then
    pairing_end (code, e, st == '3' and 'enterprise_active' or 'enterprise_closed')
  end
  if st == '4' then release_mentees (code) end
  if st == '3' and num (e.cap) > 0 and e.ind ~= '' then candidate (code, e) end
  settle (code, e)
  return 1
end

local function main ()
  local applied = 0
  for i = 4, #ARGV, 10 do
    applied = applied + project (ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
                                 ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9])
  end
  redis.call ('HINCRBY', k ('stats'), 'projected', applied)
  return reply (200, tostring (applied))
end
