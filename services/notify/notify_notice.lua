-- notify_notice.lua: a notice from a subscription (after the outbox prelude).
--
-- KEYS[4] notice hash  KEYS[5] inbox  KEYS[6] unread set
-- ARGV[4] notice id ("ev:<seq>:<subscription>")  ARGV[5] recipient  ARGV[6] body
-- A redelivered event finds its notice and writes nothing.

local function main ()
  local created = put_notice (KEYS[4], KEYS[5], KEYS[6], ARGV[4], ARGV[5], NOW, ARGV[6], {})
  return reply (200, created and 'notified' or 'exists')
end
