-- pairing_pair.lua: pair.add, pair.end and the batches of pair.suggest --apply (after the
-- outbox prelude and pairing_common.lua).
--   add:   ARGV[5] enterprise, ARGV[6] mentor ("" none), ARGV[7] quality, ARGV[8] explanation
--   end:   ARGV[5] pairing id or "", ARGV[6] enterprise or "", ARGV[7] reason
--   apply: ARGV[5..] groups of four (enterprise, mentor, quality, explanation); each one
--          still valid is written (a pairing, or a mentor for a pairing without one), the
--          others are skipped; the message is "<applied> <skipped>".
-- add and end refuse with the reason; the body returned is the pairing id.

local MODE = ARGV[4]

local function main_add ()
  local code, mentor = ARGV[5], ARGV[6]
  local e = ent_get (code)
  if not e then return fail (404, 'no enterprise ' .. code .. ' known to the pairing service', 'enterprise', 'not found') end
  if not may_act (e) then
    return fail (403, string.format ('%s may not pair enterprises of city %s / department %s', ACTOR, e.city, e.dept))
  end
  if e.st ~= '1' and e.st ~= '2' then
    return fail (409, string.format ('enterprise %s already innovates or is closed (status %s): pairings are for enterprises without innovation activity', code, e.st), 'enterprise', 'not eligible')
  end
  if e.pid ~= '' then
    return fail (409, string.format ('enterprise %s already has the active pairing %s', code, e.pid), 'enterprise', 'paired')
  end
  if mentor ~= '' then
    local why = mentor_refusal (code, e, mentor)
    if why ~= '' then return fail (400, '', 'mentor', why) end
  end
  local id = pairing_create (code, e, mentor, ARGV[7], ARGV[8])
  return reply (200, 'pairing.created', id)
end

local function main_end ()
  local id, code = ARGV[5], ARGV[6]
  if id ~= '' then
    code = redis.call ('HGET', k ('pairing:' .. id), 'enterprise')
    if not code then return fail (404, 'no pairing ' .. id, 'id', 'not found') end
  end
  local e = ent_get (code)
  if not e then return fail (404, 'no enterprise ' .. code, 'enterprise', 'not found') end
  if e.pid == '' or (id ~= '' and e.pid ~= id) then
    return fail (409, 'pairing ' .. (id ~= '' and id or ('of ' .. code)) .. ' is not active', '', 'not active')
  end
  if not may_act (e) then
    return fail (403, string.format ('%s may not end pairings of city %s / department %s', ACTOR, e.city, e.dept))
  end
  local pid = e.pid
  pairing_end (code, e, ARGV[7] ~= '' and ARGV[7] or 'ended_by_hand')
  return reply (200, 'pairing.ended', pid)
end

local function main_apply ()
  local applied, skipped = 0, 0
  for i = 5, #ARGV, 4 do
    local code, mentor, quality, expl = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local e = ent_get (code)
    local ok = e and (e.st == '1' or e.st == '2') and may_act (e) and e.mentor == ''
    if ok and mentor ~= '' and mentor_refusal (code, e, mentor) ~= '' then ok = false end
    if ok and mentor == '' and e.pid ~= '' then ok = false end
    if ok then
      if e.pid == '' then pairing_create (code, e, mentor, quality, expl)
      else pairing_set_mentor (code, e, mentor, quality, expl) end
      applied = applied + 1
    else
      skipped = skipped + 1
    end
  end
  return reply (200, applied .. ' ' .. skipped)
end

local function main ()
  if MODE == 'add' then return main_add () end
  if MODE == 'end' then return main_end () end
  return main_apply ()
end
