-- notify_common.lua: what notify's write scripts share (placed after the outbox prelude).
--
-- put_notice stores a notice once: the notice hash's existence is the mark of its
-- cause (deadline + rung, or event + subscription), so a second instance, a restart or
-- a redelivered event finds it and writes nothing. Returns true if it was created.

local function put_notice (notice_key, inbox_key, unread_key, id, recipient, created, body, attrs)
  if redis.call ('EXISTS', notice_key) == 1 then
    return false
  end
  redis.call ('HSET', notice_key, 'body', body, 'recipient', recipient, 'read', '0')
  redis.call ('ZADD', inbox_key, created, id)
  redis.call ('SADD', unread_key, id)
  emit ('notice.created', id, 'innov.Notice', body, attrs)
  return true
end
