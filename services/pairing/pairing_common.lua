-- pairing_common.lua: the functions every pairing write script shares (placed between
-- the outbox prelude and a script's body, see inv_store.h).
--
-- KEYS[4] is the service's key prefix "{PP}:pair."; every key is that prefix plus a
-- suffix named in pairing_keys.h. The enterprise projection "ent:<code>" is a hash:
--   city county dept ind cluster st cap v      what the registry's events said
--   grp     ready work groups serving it       pid mentor   its active pairing
--   load    active mentees (of a mentor)        np           pairings it had
--   cls pc pm wait mc                           what is counted for it right now:
--     cls  "" (not tracked: ACTIVE / CLOSED), "covered", or the gap reason
--     pc/pm "1" when counted in pairings / mentored; wait "1" when in div.wait:<dd>;
--     mc   "1" when counted as a mentor of its division.
-- Counters only move through settle / unsettle / candidate / uncandidate, so they are
-- always the sum of what is counted for each enterprise.

local P = KEYS[4]
local function k (suffix) return P .. suffix end

-- Protobuf encoding of the few messages the scripts emit (strings and varints only).
local function pb_varint (n)
  n = math.floor (tonumber (n) or 0)
  if n < 0 then n = 0 end
  local out = {}
  repeat
    local b = n % 128
    n = math.floor (n / 128)
    if n > 0 then b = b + 128 end
    out[#out + 1] = string.char (b)
  until n == 0
  return table.concat (out)
end
local function pb_str (field, s)
  if not s or s == '' then return '' end
  return pb_varint (field * 8 + 2) .. pb_varint (#s) .. s
end
local function pb_int (field, n)
  n = tonumber (n)
  if not n or n == 0 then return '' end
  return pb_varint (field * 8) .. pb_varint (n)
end

local PAIR_FIELDS = { 'enterprise', 'department', 'city', 'county', 'mentor', 'state', 'start',
                      'end', 'reason', 'by', 'industry', 'quality', 'expl' }
-- innov.Pairing of a stored pairing
local function pairing_pb (id)
  local h = redis.call ('HMGET', k ('pairing:' .. id), unpack (PAIR_FIELDS))
  return pb_str (1, id) .. pb_str (2, h[1]) .. pb_str (3, h[2]) .. pb_str (4, h[3])
      .. pb_str (5, h[4]) .. pb_str (6, h[5]) .. pb_str (7, h[6]) .. pb_int (8, h[7])
      .. pb_int (9, h[8]) .. pb_str (10, h[9]) .. pb_str (11, h[10]) .. pb_str (12, h[11])
      .. pb_int (13, h[12]) .. pb_str (14, h[13])
end
-- innov.PairingStep
local function step_pb (action, detail)
  return pb_int (1, NOW) .. pb_str (2, action) .. pb_str (3, ACTOR) .. pb_str (4, detail)
end

local ENT_FIELDS = { 'city', 'county', 'dept', 'ind', 'cluster', 'st', 'cap', 'v', 'grp', 'pid',
                     'mentor', 'load', 'cls', 'pc', 'pm', 'wait', 'mc' }
-- The projection of an enterprise as a table, or nil when it is not known.
local function ent_get (code)
  local h = redis.call ('HMGET', k ('ent:' .. code), unpack (ENT_FIELDS))
  if not h[6] then return nil end
  local e = {}
  for i, f in ipairs (ENT_FIELDS) do e[f] = h[i] or '' end
  return e
end
local function ent_blank ()
  local e = {}
  for _, f in ipairs (ENT_FIELDS) do e[f] = '' end
  return e
end
local function num (s) return tonumber (s) or 0 end
local function div_of (ind) return string.sub (ind or '', 1, 2) end

local function attrs_of (e)
  return { city = e.city, county = e.county, department = e.dept, cluster = e.cluster }
end

-- May the actor act on this enterprise? province and services everywhere; a city, county
-- or department on its own enterprises.
local function may_act (e)
  if ACTOR == 'province' or string.sub (ACTOR, 1, 8) == 'service:' then return true end
  return ACTOR == 'city:' .. e.city or ACTOR == 'county:' .. e.county or ACTOR == 'dept:' .. e.dept
end

local function scopes_of (e)
  local s = { 'province' }
  if e.city ~= '' then s[#s + 1] = 'city:' .. e.city end
  if e.dept ~= '' then s[#s + 1] = 'dept:' .. e.dept end
  if e.cluster ~= '' then s[#s + 1] = 'cluster:' .. e.cluster end
  return s
end

-- Add (sign 1) or remove (-1) what flags f counts for an enterprise with attributes e.
local function count (code, e, f, sign)
  if f.cls == '' and f.pc == '' and f.pm == '' then return end
  for _, scope in ipairs (scopes_of (e)) do
    local ck = k ('cov:' .. scope)
    if f.cls ~= '' then
      redis.call ('HINCRBY', ck, 'tracked', sign)
      if f.cls == 'covered' then
        redis.call ('HINCRBY', ck, 'covered', sign)
      else
        redis.call ('HINCRBY', ck, 'gaps', sign)
        redis.call ('HINCRBY', ck, f.cls, sign)
        local gk = k ('gaps:' .. scope .. ':' .. f.cls)
        if sign > 0 then redis.call ('ZADD', gk, 0, code) else redis.call ('ZREM', gk, code) end
      end
    end
    if f.pc == '1' then redis.call ('HINCRBY', ck, 'pairings', sign) end
    if f.pm == '1' then redis.call ('HINCRBY', ck, 'mentored', sign) end
    if sign > 0 and scope ~= 'province' then
      redis.call ('SADD', k ('cov.scopes:' .. string.match (scope, '^(%a+):')), scope)
    end
  end
end

-- Move what is counted for an enterprise (attributes e unchanged) from flags o to flags f,
-- touching only the counters that differ.
local function recount (code, e, o, f)
  if o.cls == '' then count (code, e, { cls = f.cls, pc = '', pm = '' }, 1) end
  if f.cls == '' then count (code, e, { cls = o.cls, pc = '', pm = '' }, -1) end
  local moved = o.cls ~= f.cls and o.cls ~= '' and f.cls ~= ''
  for _, scope in ipairs (scopes_of (e)) do
    local ck = k ('cov:' .. scope)
    if moved then
      for _, step in ipairs ({ { o.cls, -1 }, { f.cls, 1 } }) do
        local cls, sign = step[1], step[2]
        if cls == 'covered' then
          redis.call ('HINCRBY', ck, 'covered', sign)
        else
          redis.call ('HINCRBY', ck, 'gaps', sign)
          redis.call ('HINCRBY', ck, cls, sign)
          local gk = k ('gaps:' .. scope .. ':' .. cls)
          if sign > 0 then redis.call ('ZADD', gk, 0, code) else redis.call ('ZREM', gk, code) end
        end
      end
    end
    if o.pc ~= f.pc then redis.call ('HINCRBY', ck, 'pairings', f.pc == '1' and 1 or -1) end
    if o.pm ~= f.pm then redis.call ('HINCRBY', ck, 'mentored', f.pm == '1' and 1 or -1) end
  end
end

local function div_mentors (ind)
  return num (redis.call ('HGET', k ('div:' .. div_of (ind)), 'mentors'))
end

-- The coverage class of an enterprise from its projection.
local function classify (e)
  if e.st ~= '1' and e.st ~= '2' then return '' end
  if e.dept == '' then return 'no_department' end
  if num (e.grp) <= 0 then return 'no_work_group' end
  if e.pid == '' then return 'no_pairing' end
  if e.mentor == '' and e.ind ~= '' and div_mentors (e.ind) > 0 then return 'no_mentor' end
  return 'covered'
end

-- Bring the counters in line with the enterprise's projection (attributes unchanged
-- since they were counted, or unsettled before they changed).
local function settle (code, e)
  local f = { cls = classify (e) }
  f.pc = (e.pid ~= '') and '1' or ''
  f.pm = (e.pid ~= '' and e.mentor ~= '') and '1' or ''
  local wait = (f.cls ~= '' and e.mentor == '' and e.ind ~= '') and '1' or ''
  if f.cls ~= e.cls or f.pc ~= e.pc or f.pm ~= e.pm then
    recount (code, e, e, f)
  end
  if wait ~= e.wait then
    local dd = div_of (e.ind)
    if wait == '1' then
      redis.call ('SADD', k ('div.wait:' .. dd), code)
      redis.call ('SADD', k ('divs'), dd)
    else
      redis.call ('SREM', k ('div.wait:' .. dd), code)
    end
  end
  e.cls, e.pc, e.pm, e.wait = f.cls, f.pc, f.pm, wait
  redis.call ('HSET', k ('ent:' .. code), 'cls', f.cls, 'pc', f.pc, 'pm', f.pm, 'wait', wait)
end

-- Take everything counted for the enterprise away (before its attributes change).
local function unsettle (code, e)
  count (code, e, e, -1)
  if e.wait == '1' then redis.call ('SREM', k ('div.wait:' .. div_of (e.ind)), code) end
  e.cls, e.pc, e.pm, e.wait = '', '', '', ''
  redis.call ('HSET', k ('ent:' .. code), 'cls', '', 'pc', '', 'pm', '', 'wait', '')
end

-- A division got its first mentor or lost its last: its waiting enterprises change class.
local function flip (dd)
  for _, code in ipairs (redis.call ('SMEMBERS', k ('div.wait:' .. dd))) do
    local e = ent_get (code)
    if e then settle (code, e) end
  end
end

local function candidate (code, e)
  local dk = k ('div:' .. div_of (e.ind))
  redis.call ('HINCRBY', dk, 'cap', num (e.cap))
  redis.call ('HINCRBY', dk, 'load', num (e.load))
  local m = redis.call ('HINCRBY', dk, 'mentors', 1)
  redis.call ('SADD', k ('mentors'), code)
  redis.call ('SADD', k ('divs'), div_of (e.ind))
  e.mc = '1'
  redis.call ('HSET', k ('ent:' .. code), 'mc', '1')
  if m == 1 then flip (div_of (e.ind)) end
end

local function uncandidate (code, e)
  local dk = k ('div:' .. div_of (e.ind))
  redis.call ('HINCRBY', dk, 'cap', 0 - num (e.cap))      -- never -0: HINCRBY refuses "-0"
  redis.call ('HINCRBY', dk, 'load', 0 - num (e.load))
  local m = redis.call ('HINCRBY', dk, 'mentors', -1)
  redis.call ('SREM', k ('mentors'), code)
  e.mc = ''
  redis.call ('HSET', k ('ent:' .. code), 'mc', '')
  if m == 0 then flip (div_of (e.ind)) end
end

-- One more (delta 1) or one less (-1) mentee for a mentor.
local function mentor_load (mentor, mentee, delta)
  local m = ent_get (mentor)
  if delta > 0 then redis.call ('SADD', k ('mentees:' .. mentor), mentee)
  else redis.call ('SREM', k ('mentees:' .. mentor), mentee) end
  if not m then return end
  redis.call ('HINCRBY', k ('ent:' .. mentor), 'load', delta)
  if m.mc == '1' then redis.call ('HINCRBY', k ('div:' .. div_of (m.ind)), 'load', delta) end
end

local function pairing_create (code, e, mentor, quality, expl)
  local id = string.format ('PR%09d', redis.call ('INCR', k ('pairing.seq')))
  redis.call ('HSET', k ('pairing:' .. id), 'enterprise', code, 'department', e.dept,
              'city', e.city, 'county', e.county, 'mentor', mentor, 'state', 'active',
              'start', NOW, 'by', ACTOR, 'industry', e.ind, 'quality', quality or 0,
              'expl', expl or '')
  redis.call ('RPUSH', k ('pairing.hist:' .. id),
              step_pb ('created', mentor ~= '' and ('mentor ' .. mentor) or 'no mentor'))
  redis.call ('RPUSH', k ('pairings.ent:' .. code), id)
  redis.call ('ZADD', k ('pairings.active'), 0, id)
  redis.call ('ZADD', k ('pairings.city:' .. e.city), 0, id)
  if mentor ~= '' then mentor_load (mentor, code, 1) end
  e.pid, e.mentor = id, mentor
  redis.call ('HSET', k ('ent:' .. code), 'pid', id, 'mentor', mentor)
  redis.call ('HINCRBY', k ('ent:' .. code), 'np', 1)
  settle (code, e)
  emit ('pairing.created', id, 'innov.Pairing', pairing_pb (id), attrs_of (e))
  return id
end

-- A mentor for an enterprise's active pairing that has none.
local function pairing_set_mentor (code, e, mentor, quality, expl)
  local id = e.pid
  redis.call ('HSET', k ('pairing:' .. id), 'mentor', mentor, 'quality', quality or 0, 'expl', expl or '')
  redis.call ('RPUSH', k ('pairing.hist:' .. id), step_pb ('mentor_assigned', 'mentor ' .. mentor))
  mentor_load (mentor, code, 1)
  e.mentor = mentor
  redis.call ('HSET', k ('ent:' .. code), 'mentor', mentor)
  settle (code, e)
  emit ('pairing.updated', id, 'innov.Pairing', pairing_pb (id), attrs_of (e))
end

local function pairing_end (code, e, reason)
  local id = e.pid
  local pk = k ('pairing:' .. id)
  local city = redis.call ('HGET', pk, 'city') or ''
  redis.call ('HSET', pk, 'state', 'ended', 'end', NOW, 'reason', reason)
  redis.call ('RPUSH', k ('pairing.hist:' .. id), step_pb ('ended', reason))
  redis.call ('ZREM', k ('pairings.active'), id)
  redis.call ('ZREM', k ('pairings.city:' .. city), id)
  if e.mentor ~= '' then mentor_load (e.mentor, code, -1) end
  e.pid, e.mentor = '', ''
  redis.call ('HSET', k ('ent:' .. code), 'pid', '', 'mentor', '')
  settle (code, e)
  emit ('pairing.ended', id, 'innov.Pairing', pairing_pb (id), attrs_of (e))
end

-- A mentor stopped being one (closed): its mentees keep their pairing without a mentor.
local function release_mentees (mentor)
  for _, code in ipairs (redis.call ('SMEMBERS', k ('mentees:' .. mentor))) do
    local e = ent_get (code)
    if e and e.pid ~= '' and e.mentor == mentor then
      local id = e.pid
      redis.call ('HSET', k ('pairing:' .. id), 'mentor', '', 'quality', 0)
      redis.call ('RPUSH', k ('pairing.hist:' .. id), step_pb ('mentor_released', 'mentor ' .. mentor .. ' closed'))
      mentor_load (mentor, code, -1)
      e.mentor = ''
      redis.call ('HSET', k ('ent:' .. code), 'mentor', '')
      settle (code, e)
      emit ('pairing.updated', id, 'innov.Pairing', pairing_pb (id), attrs_of (e))
    else
      redis.call ('SREM', k ('mentees:' .. mentor), code)
    end
  end
end

-- Why a mentor cannot take this enterprise ("" when it can), for pair.add and apply.
local function mentor_refusal (code, e, mentor)
  if mentor == code then return 'an enterprise cannot mentor itself' end
  local m = ent_get (mentor)
  if not m then return 'mentor ' .. mentor .. ' is not a known enterprise' end
  if m.st ~= '3' then return 'mentor ' .. mentor .. ' is not ACTIVE (already innovating)' end
  if m.mc ~= '1' then return 'mentor ' .. mentor .. ' has no mentor capacity' end
  if num (m.load) >= num (m.cap) then
    return string.format ('mentor %s capacity exhausted: %d of %d', mentor, num (m.load), num (m.cap))
  end
  if div_of (m.ind) ~= div_of (e.ind) then
    return string.format ('mentor %s is of industry %s, not of division %s', mentor, m.ind, div_of (e.ind))
  end
  return ''
end
