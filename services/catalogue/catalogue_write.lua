-- catalogue_write.lua: every write of the catalogue (after the outbox prelude).
--
-- The handler has read what it needed, validated the request and built the records and
-- event payloads (protobuf, never decoded here); it sends the write as a short list of
-- operations (catalogue_write.c builds it). Keys are named by their index in KEYS, so
-- every key the script touches is declared. Checks run first, all of them, before
-- anything is written; then the writes, in order. The arguments after the outbox's:
--
--   absent  k msg                 409 msg when KEYS[k] exists
--   version k n                   409 "stale" unless HGET KEYS[k] version is n ("0": no record)
--   below   k f qk qf default msg 409 msg when HGET KEYS[k] f >= (HGET KEYS[qk] qf or default)
--   atmost  k f n msg             409 msg when HGET KEYS[k] f > n
--   refuse  code msg field reason the answer is this refusal (checked after idempotency)
--   hset    k n f1 v1 .. fn vn
--   zadd    k score member        zrem k member
--   hincr   k f delta
--   rpush   k value               lsetl k value (replace the last element)
--   emit    type subject ptype payload city county
--   announce n pid p1 .. pn       n "deadline.announced" events, subject "milestone:<pid>:<i>"
--   result  body                  the reply's body

local arity = { absent = 2, version = 2, below = 6, atmost = 4, refuse = 4, zadd = 3, zrem = 2,
                hincr = 3, rpush = 2, lsetl = 2, emit = 6, result = 1 }

local function ops ()
  local list, i = {}, 4
  while i <= #ARGV do
    local op = ARGV[i]
    local n = arity[op]
    if op == 'hset' then n = 2 + 2 * tonumber (ARGV[i + 2]) end
    if op == 'announce' then n = 2 + tonumber (ARGV[i + 1]) end
    if not n then error ('catalogue_write: unknown operation ' .. tostring (op)) end
    local a = {}
    for j = 1, n do a[j] = ARGV[i + j] end
    list[#list + 1] = { op = op, a = a }
    i = i + n + 1
  end
  return list
end

local function check (o)
  local a = o.a
  if o.op == 'refuse' then
    return fail (tonumber (a[1]), a[2], a[3], a[4])
  elseif o.op == 'absent' then
    if redis.call ('EXISTS', KEYS[tonumber (a[1])]) == 1 then return fail (409, a[2], 'id', 'exists') end
  elseif o.op == 'version' then
    local stored = redis.call ('HGET', KEYS[tonumber (a[1])], 'version') or '0'
    if stored ~= a[2] then return fail (409, 'changed meanwhile (version ' .. stored .. ')', '', 'stale') end
  elseif o.op == 'below' then
    local count = tonumber (redis.call ('HGET', KEYS[tonumber (a[1])], a[2]) or '0')
    local limit = tonumber (redis.call ('HGET', KEYS[tonumber (a[3])], a[4]) or a[5])
    if count >= limit then
      return fail (409, string.format (a[6], limit, count), a[2], 'quota')
    end
  elseif o.op == 'atmost' then
    local count = tonumber (redis.call ('HGET', KEYS[tonumber (a[1])], a[2]) or '0')
    if count > tonumber (a[3]) then return fail (409, string.format (a[4], count), a[2], 'limit') end
  end
  return nil
end

local function apply (o, out)
  local a = o.a
  if o.op == 'hset' then
    local args = {}
    for j = 3, #a do args[#args + 1] = a[j] end
    redis.call ('HSET', KEYS[tonumber (a[1])], unpack (args))
  elseif o.op == 'zadd' then
    redis.call ('ZADD', KEYS[tonumber (a[1])], a[2], a[3])
  elseif o.op == 'zrem' then
    redis.call ('ZREM', KEYS[tonumber (a[1])], a[2])
  elseif o.op == 'hincr' then
    redis.call ('HINCRBY', KEYS[tonumber (a[1])], a[2], a[3])
  elseif o.op == 'rpush' then
    redis.call ('RPUSH', KEYS[tonumber (a[1])], a[2])
  elseif o.op == 'lsetl' then
    redis.call ('LSET', KEYS[tonumber (a[1])], -1, a[2])
  elseif o.op == 'emit' then
    emit (a[1], a[2], a[3], a[4], { city = a[5], county = a[6] })
  elseif o.op == 'announce' then
    for j = 1, tonumber (a[1]) do
      emit ('deadline.announced', 'milestone:' .. a[2] .. ':' .. j, 'innov.DeadlineAnnounced', a[2 + j], {})
    end
  elseif o.op == 'result' then
    out.body = a[1]
  end
end

local function main ()
  local list = ops ()
  for _, o in ipairs (list) do
    local refused = check (o)
    if refused then return refused end
  end
  local out = { body = '' }
  for _, o in ipairs (list) do apply (o, out) end
  return reply (200, 'ok', out.body)
end
