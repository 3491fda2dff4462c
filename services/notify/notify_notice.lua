-- notify_notice.lua: a notice from a subscription (after the outbox prelude).
--
-- KEYS[4] notice hash  KEYS[5] inbox  KEYS[6] unread set
-- ARGV[4] notice id ("ev:<seq>:<subscription>")  ARGV[5] recipient  ARGV[6] body
-- A redelivered event finds its notice and writes nothing.
-- Webhook (optional): KEYS[7] delivery hash  KEYS[8] pending deliveries  KEYS[9] the
-- subscription's deliveries; ARGV[7] webhook url  ARGV[8] subscription id  ARGV[9] real
-- time ms. The delivery is queued with the notice, so a notice never lacks its delivery.

local function main ()
  local created = put_notice (KEYS[4], KEYS[5], KEYS[6], ARGV[4], ARGV[5], NOW, ARGV[6], {})
  if created and (ARGV[7] or '') ~= '' then
    redis.call ('HSET', KEYS[7], 'subscription', ARGV[8], 'url', ARGV[7], 'state', 'pending',
                'attempts', '0', 'created', ARGV[9], 'next', ARGV[9])
    redis.call ('ZADD', KEYS[8], ARGV[9], ARGV[4])
    redis.call ('ZADD', KEYS[9], ARGV[9], ARGV[4])
  end
  return reply (200, created and 'notified' or 'exists')
end
