-- notify_wh_result.lua: record one webhook attempt (after the outbox prelude).
--
-- KEYS[4] delivery hash  KEYS[5] pending deliveries  KEYS[6] delivery log
-- ARGV[4] delivery id  ARGV[5] lease token  ARGV[6] outcome "delivered" | "retry" | "failed"
-- ARGV[7] the attempt (innov.DeliveryAttempt)  ARGV[8] attempt number  ARGV[9] next attempt
-- ms (retry)  ARGV[10] innov.Delivery for the event (delivered, failed)
-- Only the holder of the lease records: a lease that ran out and was taken by another
-- instance writes nothing. A failed delivery is kept and emits notice.delivery_failed.

local DL, DUE, LOG = KEYS[4], KEYS[5], KEYS[6]
local ID, TOKEN, OUTCOME, ATTEMPT, N, NEXT, BODY = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local function main ()
  if redis.call ('HGET', DL, 'state') ~= 'pending' or redis.call ('HGET', DL, 'lease') ~= TOKEN then
    return reply (200, 'lost')
  end
  redis.call ('RPUSH', LOG, ATTEMPT)
  redis.call ('HSET', DL, 'attempts', N, 'lease', '')
  if OUTCOME == 'retry' then
    redis.call ('HSET', DL, 'next', NEXT)
    redis.call ('ZADD', DUE, NEXT, ID)
    return reply (200, 'retry')
  end
  redis.call ('HSET', DL, 'state', OUTCOME, 'next', '0')
  redis.call ('ZREM', DUE, ID)
  emit (OUTCOME == 'delivered' and 'notice.delivered' or 'notice.delivery_failed',
        ID, 'innov.Delivery', BODY, {})
  return reply (200, OUTCOME)
end
