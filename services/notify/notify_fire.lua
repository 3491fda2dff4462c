-- notify_fire.lua: fire one rung of a deadline's ladder (after the outbox prelude).
--
-- KEYS[4] deadline hash  KEYS[5] due set  KEYS[6] notice hash  KEYS[7] inbox
-- KEYS[8] unread set
-- ARGV[4] deadline id  ARGV[5] rung index the caller read  ARGV[6] next rung index
-- ARGV[7] next fire time ("" = ladder finished)  ARGV[8] notice id ("" = rung skipped)
-- ARGV[9] recipient  ARGV[10] notice body (innov.Notice)
-- Compare-and-set on the rung: when another instance has moved the deadline on (or it
-- was cleared) nothing is written. The notice is written at most once (put_notice).

local DL, DUE, NOTICE, INBOX, UNREAD = KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local ID, RUNG, NEXT, FIRE, NID, RECIPIENT, BODY = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local function main ()
  local state = redis.call ('HGET', DL, 'state')
  if state ~= 'open' then
    redis.call ('ZREM', DUE, ID)
    return reply (200, 'closed')
  end
  if redis.call ('HGET', DL, 'rung') ~= RUNG then
    return reply (200, 'moved')
  end
  local created = false
  if NID ~= '' then
    created = put_notice (NOTICE, INBOX, UNREAD, NID, RECIPIENT, NOW, BODY, {})
  end
  redis.call ('HSET', DL, 'rung', NEXT)
  if FIRE == '' then
    redis.call ('ZREM', DUE, ID)
  else
    redis.call ('ZADD', DUE, FIRE, ID)
  end
  return reply (200, created and 'notified' or 'skipped')
end
