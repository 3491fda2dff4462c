-- problems_write.lua: every write of a problem (raise and each step of the ladder), after
-- the outbox prelude. The caller read the record, checked the step and the caller's
-- scope, built the new record and worked out what it changes in each scope's figures;
-- this checks the record is still the one read, then stores it, moves the counters,
-- the deadline index, the days histogram and the lists of every scope it belongs to,
-- and emits the step's events, all in one atomic step.
--
-- KEYS[4] the problem hash "{PP}:problem:<id>"     KEYS[5] the scope set "{PP}:problems.scopes"
-- KEYS[6..] four keys per scope: counters hash, due zset, days hash, index zset
-- ARGV[4] id   ARGV[5] body (innov.Problem)   ARGV[6] version   ARGV[7] state
-- ARGV[8] version read ("0": the problem must not exist yet)
-- ARGV[9] refusal ("" none: the step is allowed from the state read)
-- ARGV[10] number of scopes   ARGV[11] number of events
-- ARGV[12] city   ARGV[13] county   ARGV[14] department (routing attributes)
-- then five per scope: name, counter deltas "field=n,field=n", next deadline ("" keep,
-- "-" leave the due set, else the score), days bucket ("" none), index score ("" keep)
-- then four per event: type, subject, payload type, payload

local PROBLEM, SCOPES = KEYS[4], KEYS[5]
local ID, BODY, VERSION, STATE, READ, REFUSAL = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local N_SCOPES, N_EVENTS = tonumber (ARGV[10]), tonumber (ARGV[11])
local ATTRS = { city = ARGV[12], county = ARGV[13], department = ARGV[14] }

local function check ()
  if REFUSAL ~= '' then
    return fail (409, REFUSAL, 'id', 'illegal step')
  end
  local stored = redis.call ('HGET', PROBLEM, 'version')
  if READ == '0' then
    if stored then return fail (409, 'problem ' .. ID .. ' exists', 'id', 'exists') end
  elseif not stored then
    return fail (404, 'no problem ' .. ID, 'id', 'not found')
  elseif stored ~= READ then
    return fail (409, 'problem ' .. ID .. ' changed meanwhile (version ' .. stored .. ')', 'id', 'stale')
  end
  return nil
end

local function move_scope (i)
  local a = 14 + (i - 1) * 5
  local k = 6 + (i - 1) * 4
  local name, deltas, due, days, since = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  redis.call ('SADD', SCOPES, name)
  for field, n in string.gmatch (deltas, '([%w_]+)=(-?%d+)') do
    redis.call ('HINCRBY', KEYS[k], field, tonumber (n))
  end
  if due == '-' then
    redis.call ('ZREM', KEYS[k + 1], ID)
  elseif due ~= '' then
    redis.call ('ZADD', KEYS[k + 1], due, ID)
  end
  if days ~= '' then
    redis.call ('HINCRBY', KEYS[k + 2], days, 1)
  end
  if since ~= '' then
    redis.call ('ZADD', KEYS[k + 3], since, ID)
  end
end

local function main ()
  local refused = check ()
  if refused then return refused end
  redis.call ('HSET', PROBLEM, 'body', BODY, 'version', VERSION, 'state', STATE)
  for i = 1, N_SCOPES do move_scope (i) end
  local a = 14 + N_SCOPES * 5
  for _ = 1, N_EVENTS do
    emit (ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ATTRS)
    a = a + 4
  end
  return reply (200, STATE, BODY)
end
