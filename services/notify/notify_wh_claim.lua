-- notify_wh_claim.lua: take a due webhook delivery for one attempt (after the outbox prelude).
--
-- KEYS[4] delivery hash  KEYS[5] pending deliveries
-- ARGV[4] delivery id  ARGV[5] real time ms  ARGV[6] lease end ms  ARGV[7] lease token
-- The delivery is leased: its due time moves to the lease's end, so no other instance
-- takes it meanwhile, and an instance that dies while posting leaves it due again.
-- Replies the attempt number as message and the url as body; "busy" when another
-- instance holds it or it is not due, "gone" when it is no longer pending.

local DL, DUE, ID, NOW_MS, UNTIL, TOKEN = KEYS[4], KEYS[5], ARGV[4], ARGV[5], ARGV[6], ARGV[7]

local function main ()
  if redis.call ('HGET', DL, 'state') ~= 'pending' then
    redis.call ('ZREM', DUE, ID)
    return reply (200, 'gone')
  end
  local due = redis.call ('ZSCORE', DUE, ID)
  if not due or tonumber (due) > tonumber (NOW_MS) then
    return reply (200, 'busy')
  end
  redis.call ('HSET', DL, 'lease', TOKEN)
  redis.call ('ZADD', DUE, UNTIL, ID)
  local attempt = tonumber (redis.call ('HGET', DL, 'attempts')) + 1
  return reply (200, tostring (attempt), redis.call ('HGET', DL, 'url'))
end
