-- pairing_assign.lua: group.assign / group.unassign (after the outbox prelude and
-- pairing_common.lua). ARGV[4] mode (assign, unassign), ARGV[5] group id, ARGV[6] event
-- payload (innov.GroupAssignment), ARGV[7..] credit codes. Every code is checked before
-- anything is written: a known enterprise, in the owner's scope (a city group serves its
-- city's enterprises, a department group those of its field). Enterprises served by a
-- ready group are settled again. Returns how many changed in the message.

local MODE, ID, PAYLOAD = ARGV[4], ARGV[5], ARGV[6]

local function main ()
  local g = redis.call ('HMGET', k ('group:' .. ID), 'owner', 'state')
  if not g[1] then return fail (404, 'no work group ' .. ID, 'group_id', 'not found') end
  local owner, ready = g[1], g[2] == 'ready'
  local kind, code_of_owner = string.match (owner, '^(%a+):(.*)$')
  local list = {}
  for i = 7, #ARGV do
    local code = ARGV[i]
    local e = ent_get (code)
    local field = 'enterprises[' .. (i - 7) .. ']'
    if not e then return fail (400, code .. ' is not a known enterprise', field, code .. ' is not a known enterprise') end
    if kind == 'city' and e.city ~= code_of_owner then
      return fail (400, '', field, string.format ('%s is in city %s; group %s serves city %s', code, e.city, ID, code_of_owner))
    end
    if kind == 'dept' and e.dept ~= code_of_owner then
      return fail (400, '', field, string.format ('%s is in the field of %s; group %s serves %s', code,
                   e.dept == '' and 'no department' or e.dept, ID, code_of_owner))
    end
    list[#list + 1] = { code, e }
  end
  local changed = 0
  for _, item in ipairs (list) do
    local code, e = item[1], item[2]
    local added
    if MODE == 'assign' then
      added = redis.call ('ZADD', k ('group.ents:' .. ID), 0, code)
      redis.call ('SADD', k ('ent.groups:' .. code), ID)
    else
      added = redis.call ('ZREM', k ('group.ents:' .. ID), code)
      redis.call ('SREM', k ('ent.groups:' .. code), ID)
    end
    if added == 1 then
      changed = changed + 1
      if ready then
        e.grp = tostring (num (e.grp) + (MODE == 'assign' and 1 or -1))
        redis.call ('HSET', k ('ent:' .. code), 'grp', e.grp)
        settle (code, e)
      end
    end
  end
  if changed > 0 then
    local a = { city = kind == 'city' and code_of_owner or '', department = kind == 'dept' and code_of_owner or '' }
    emit (MODE == 'assign' and 'group.assigned' or 'group.unassigned', ID, 'innov.GroupAssignment', PAYLOAD, a)
  end
  return reply (200, tostring (changed))
end
