-- notify_subscribe.lua: add or remove a subscription (after the outbox prelude).
--
-- KEYS[4] subscriptions hash
-- ARGV[4] mode "add" | "remove"  ARGV[5] subscription id  ARGV[6] body (innov.Subscription)
-- KEYS[5] webhook secrets  ARGV[7] the new subscription's webhook secret ("" = no webhook)
-- The id is derived from the subscription's content, so subscribing twice to the same
-- thing keeps one subscription (and emits nothing the second time). remove checks the
-- stored body is the one the caller read (it was allowed to remove that one).

local SUBS, MODE, ID, BODY = KEYS[4], ARGV[4], ARGV[5], ARGV[6]

local function main ()
  if MODE == 'add' then
    if redis.call ('HSETNX', SUBS, ID, BODY) == 1 then
      if KEYS[5] and (ARGV[7] or '') ~= '' then redis.call ('HSET', KEYS[5], ID, ARGV[7]) end
      emit ('subscription.created', ID, 'innov.Subscription', BODY, {})
      return reply (200, 'created', BODY)
    end
    return reply (200, 'exists', BODY)
  end
  if redis.call ('HGET', SUBS, ID) ~= BODY then
    return fail (409, 'subscription ' .. ID .. ' changed meanwhile', 'id', 'changed')
  end
  redis.call ('HDEL', SUBS, ID)
  if KEYS[5] then redis.call ('HDEL', KEYS[5], ID) end
  emit ('subscription.removed', ID, 'innov.Subscription', BODY, {})
  return reply (200, 'removed', BODY)
end
