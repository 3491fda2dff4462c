-- notify_deadline.lua: open a deadline unless it exists (after the outbox prelude).
--
-- KEYS[4] deadline hash   KEYS[5] due set   KEYS[6] clear index   KEYS[7] seen events
-- KEYS[8] late set
-- ARGV[4] id  ARGV[5] body (innov.Deadline, state open)  ARGV[6] due ms
-- ARGV[7] first fire time ms ("" = nothing to fire)  ARGV[8] "<clear type>|<clear subject>"
-- ARGV[9] agency  ARGV[10] body if done on time  ARGV[11] body if late
-- When the clearing event was seen before (notify.seen), the deadline opens already
-- cleared: done when that event came by the due time, late otherwise.

local DL, DUE, CLEAR, SEEN, LATE = KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local ID, BODY, DUE_MS, FIRE, MATCH, AGENCY = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local BODY_DONE, BODY_LATE = ARGV[10], ARGV[11]

local function main ()
  if redis.call ('EXISTS', DL) == 1 then
    return reply (200, 'exists')
  end
  redis.call ('HSET', CLEAR, MATCH, ID)
  local seen = redis.call ('HGET', SEEN, MATCH)
  if seen then
    local late = tonumber (seen) > tonumber (DUE_MS)
    local state = late and 'late' or 'done'
    redis.call ('HSET', DL, 'body', late and BODY_LATE or BODY_DONE, 'state', state,
                'due', DUE_MS, 'rung', '0', 'agency', AGENCY, 'cleared', seen)
    if late then redis.call ('ZADD', LATE, seen, ID) end
    emit ('deadline.cleared', ID, 'innov.Deadline', late and BODY_LATE or BODY_DONE, {})
    return reply (200, state)
  end
  redis.call ('HSET', DL, 'body', BODY, 'state', 'open', 'due', DUE_MS, 'rung', '0', 'agency', AGENCY)
  if FIRE ~= '' then redis.call ('ZADD', DUE, FIRE, ID) end
  emit ('deadline.opened', ID, 'innov.Deadline', BODY, {})
  return reply (200, 'open')
end
