-- pairing_group.lua: group.add / member changes / group.ready (after the outbox prelude and
-- pairing_common.lua). The service built the new WorkGroup body (without its enterprise
-- list, which is the sorted set group.ents:<id>).
-- ARGV[4] mode (add, update, ready), ARGV[5] id, ARGV[6] owner, ARGV[7] version read
-- (0 for add), ARGV[8] body, ARGV[9] event type, ARGV[10] routing city, ARGV[11] dept.
-- ready: the group's enterprises count one more ready work group and are settled again.

local MODE, ID, OWNER, VERSION, BODY, EVENT = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local ATTRS = { city = ARGV[10], department = ARGV[11] }

local function main ()
  local gk = k ('group:' .. ID)
  if MODE == 'add' then
    if redis.call ('EXISTS', gk) == 1 then return fail (409, 'group ' .. ID .. ' exists', 'group.id', 'exists') end
    redis.call ('HSET', gk, 'body', BODY, 'owner', OWNER, 'state', 'forming', 'version', 1)
    redis.call ('ZADD', k ('groups.all'), 0, ID)
    redis.call ('ZADD', k ('groups.owner:' .. OWNER), 0, ID)
    redis.call ('SADD', k ('groups.owners'), OWNER)
    redis.call ('HINCRBY', k ('gcnt:province'), 'forming', 1)
    redis.call ('HINCRBY', k ('gcnt:' .. OWNER), 'forming', 1)
  else
    local stored = redis.call ('HMGET', gk, 'version', 'state')
    if not stored[1] then return fail (404, 'no work group ' .. ID, 'group_id', 'not found') end
    if stored[1] ~= VERSION then return fail (409, 'work group ' .. ID .. ' changed meanwhile', '', 'stale') end
    if MODE == 'ready' then
      if stored[2] == 'ready' then return fail (409, 'work group ' .. ID .. ' is already ready', '', 'ready') end
      redis.call ('HSET', gk, 'state', 'ready')
      redis.call ('HINCRBY', k ('gcnt:province'), 'forming', -1)
      redis.call ('HINCRBY', k ('gcnt:' .. OWNER), 'forming', -1)
      redis.call ('HINCRBY', k ('gcnt:province'), 'ready', 1)
      redis.call ('HINCRBY', k ('gcnt:' .. OWNER), 'ready', 1)
      for _, code in ipairs (redis.call ('ZRANGE', k ('group.ents:' .. ID), 0, -1)) do
        local e = ent_get (code)
        if e then
          e.grp = tostring (num (e.grp) + 1)
          redis.call ('HSET', k ('ent:' .. code), 'grp', e.grp)
          settle (code, e)
        end
      end
    end
    redis.call ('HSET', gk, 'body', BODY, 'version', num (VERSION) + 1)
  end
  emit (EVENT, ID, 'innov.WorkGroup', BODY, ATTRS)
  return reply (200, EVENT, BODY)
end
