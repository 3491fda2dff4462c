-- notify_ack.lua: notices read (after the outbox prelude).
--
-- KEYS[4] unread set of the inbox  KEYS[5..] notice hashes
-- ARGV[4] recipient  ARGV[5..] notice ids, in the order of KEYS[5..]
-- Only notices of this inbox are touched; an id of another inbox or already read
-- counts as nothing. One notice.acknowledged event per notice acknowledged.

local function main ()
  local count = 0
  for i = 5, #KEYS do
    local id = ARGV[i]
    if redis.call ('HGET', KEYS[i], 'recipient') == ARGV[4]
    and redis.call ('SREM', KEYS[4], id) == 1 then
      redis.call ('HSET', KEYS[i], 'read', '1')
      emit ('notice.acknowledged', id, '', '', {})
      count = count + 1
    end
  end
  return reply (200, tostring (count))
end
