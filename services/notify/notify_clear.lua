-- notify_clear.lua: the clearing event of a deadline arrived (after the outbox prelude).
--
-- KEYS[4] deadline hash ("{PP}:notify.dl:-" when none is open)  KEYS[5] due set
-- KEYS[6] late set  KEYS[7] seen events
-- ARGV[4] deadline id ("" = none yet)  ARGV[5] "<clear type>|<clear subject>"
-- ARGV[6] time of the clearing event  ARGV[7] body if done  ARGV[8] body if late
-- Done when the event came by the due time, late (and listed in the late set) after.
-- Without an open deadline the event is remembered in notify.seen, so a deadline
-- opened later starts cleared. A second clearing event changes nothing.

local DL, DUE, LATE, SEEN = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local ID, MATCH, WHEN, BODY_DONE, BODY_LATE = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]

local function main ()
  if redis.call ('HEXISTS', SEEN, MATCH) == 0 then
    redis.call ('HSET', SEEN, MATCH, WHEN)
  end
  if ID == '' then
    return reply (200, 'seen')
  end
  local state = redis.call ('HGET', DL, 'state')
  if state ~= 'open' then
    return reply (200, state or 'none')
  end
  local late = tonumber (WHEN) > tonumber (redis.call ('HGET', DL, 'due'))
  local body = late and BODY_LATE or BODY_DONE
  redis.call ('HSET', DL, 'state', late and 'late' or 'done', 'cleared', WHEN, 'body', body)
  redis.call ('ZREM', DUE, ID)
  if late then redis.call ('ZADD', LATE, WHEN, ID) end
  emit ('deadline.cleared', ID, 'innov.Deadline', body, {})
  return reply (200, late and 'late' or 'done')
end
