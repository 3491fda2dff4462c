-- outbox.lua: the prelude of every write script (transactional outbox, see inv_store.h).
--
-- A service script is the body of `local function main ()` placed after this prelude;
-- inv_store_script_source() appends `return outbox_run (main)`. Scripts may not create
-- globals (Redis 7), so everything here is local.
--
-- KEYS[1] events stream "{PP}:events"   ARGV[1] now, Unix ms (from inv_clock)
-- KEYS[2] sequence "{PP}:seq"            ARGV[2] actor principal
-- KEYS[3] "{PP}:idem:<actor>:<key>"      ARGV[3] idempotency key ("" = none)
-- The service's own keys start at KEYS[4], its arguments at ARGV[4].
--
-- main() must check everything before it writes anything: Redis does not roll back a
-- script that fails half-way, so a refusal (fail) comes before the first write.
-- Result convention, as a Redis array: {code, message, body, field, reason}.

local OUTBOX_EVENTS, OUTBOX_SEQ, OUTBOX_IDEM = KEYS[1], KEYS[2], KEYS[3]
local NOW, ACTOR, IDEM_KEY = ARGV[1], ARGV[2], ARGV[3]
local IDEM_TTL_MS = 86400000

local function reply (code, message, body)
  return { code, message or "", body or "", "", "" }
end

local function fail (code, message, field, reason)
  return { code, message or "", "", field or "", reason or "" }
end

-- Append one event; its stream id is "<seq>-1", so the id carries the sequence number.
-- The XADD cannot be allowed to fail after main() has written state, so if the
-- stream is already past the counter (the counter was lost, or an entry was added
-- by hand) the counter jumps to just after the stream's newest entry.
local function emit (event_type, subject, payload_type, payload, attrs)
  attrs = attrs or {}
  local seq = redis.call ('INCR', OUTBOX_SEQ)
  local fields = {
    'type', event_type, 'subject', subject or '', 'actor', ACTOR, 'time', NOW,
    'ptype', payload_type or '', 'payload', payload or '',
    'city', attrs.city or '', 'county', attrs.county or '',
    'dept', attrs.department or '', 'cluster', attrs.cluster or '' }
  local added = redis.pcall ('XADD', OUTBOX_EVENTS, seq .. '-1', unpack (fields))
  if type (added) == 'table' and added.err then
    local newest = redis.call ('XREVRANGE', OUTBOX_EVENTS, '+', '-', 'COUNT', 1)
    seq = tonumber (string.match (newest[1][1], '^(%d+)')) + 1
    redis.call ('SET', OUTBOX_SEQ, seq)
    redis.call ('XADD', OUTBOX_EVENTS, seq .. '-1', unpack (fields))
  end
  return seq
end

local function outbox_run (main)
  if IDEM_KEY ~= '' then
    local cached = redis.call ('GET', OUTBOX_IDEM)
    if cached then
      return cmsgpack.unpack (cached)
    end
  end
  local result = main ()
  if IDEM_KEY ~= '' and result[1] == 200 then
    redis.call ('SET', OUTBOX_IDEM, cmsgpack.pack (result), 'PX', IDEM_TTL_MS)
  end
  return result
end
