-- registry_common.lua: what the enterprise write scripts share (placed after the outbox
-- prelude and before registry_add.lua or registry_update.lua).
--
-- KEYS[4]  the enterprise hash "{PP}:ent:<code>"
-- KEYS[5..] index keys the record leaves (ZREM), index keys it joins (ZADD),
--           counter hashes it leaves (HINCRBY old status -1), counter hashes it joins
--           (HINCRBY new status +1), in that order; ARGV[12..15] say how many of each.
-- ARGV[4]  credit code          ARGV[5]  body (innov.Enterprise protobuf)
-- ARGV[6]  city   ARGV[7] county   ARGV[8] department   ARGV[9] cluster
-- ARGV[10] status (number)      ARGV[11] version
-- ARGV[12] n old indexes  ARGV[13] n new indexes  ARGV[14] n old counters  ARGV[15] n new counters
-- ARGV[16] old status     ARGV[17] version read by the caller   ARGV[18] expected version (0 = any)
-- After the counters, two more keys: the name index "{PP}:ent.idx:name" and the history
-- list "{PP}:ent.hist:<code>"; with them
-- ARGV[19] name index member the record leaves ("" none)   ARGV[20] member it joins
-- ARGV[21] workflow event type   ARGV[22] history entry (innov.StatusChange protobuf)
-- ARGV[23] workflow refusal ("" none): the step is not allowed from the state read
-- A caller that passes neither (ARGV[19] absent) leaves the name index alone.
-- ARGV[24..28] the old record's assessment figures, ARGV[29..33] the new record's, each
-- five integers: has an R&D institution (0/1), has R&D activity (0/1), belongs to an
-- alliance (0/1), operating revenue and R&D expenditure in hundredths of 10k yuan.
-- They go to the same counter hashes as the status (fields rdi, rda, ali, rev, rde):
-- the old record's are taken from the counters it leaves, the new one's added to the
-- counters it joins, so an update moves exactly the difference. Absent (a caller that
-- predates them): the figures are left alone.

local ENT = KEYS[4]
local CODE, BODY = ARGV[4], ARGV[5]
local CITY, COUNTY, DEPT, CLUSTER = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local STATUS, VERSION = ARGV[10], ARGV[11]
local N_OLD_IDX, N_NEW_IDX = tonumber (ARGV[12]), tonumber (ARGV[13])
local N_OLD_CNT, N_NEW_CNT = tonumber (ARGV[14]), tonumber (ARGV[15])
local OLD_STATUS, READ_VERSION, EXPECTED_VERSION = ARGV[16], ARGV[17], ARGV[18]
local EXTRA_KEYS = 5 + (N_OLD_IDX or 0) + (N_NEW_IDX or 0) + (N_OLD_CNT or 0) + (N_NEW_CNT or 0)
local NAME_IDX, HISTORY = KEYS[EXTRA_KEYS], KEYS[EXTRA_KEYS + 1]
local OLD_NAME, NEW_NAME = ARGV[19], ARGV[20]
local FLOW_EVENT, FLOW_ENTRY, FLOW_REFUSAL = ARGV[21], ARGV[22], ARGV[23]
local FIGURE_FIELDS = { 'rdi', 'rda', 'ali', 'rev', 'rde' }

-- HINCRBY every non-zero figure of ARGV[first..first+4] (times sign) on key.
local function move_figures (key, first, sign)
  if not ARGV[first + 4] then return end
  for i, field in ipairs (FIGURE_FIELDS) do
    local value = tonumber (ARGV[first + i - 1])
    if value and value ~= 0 then redis.call ('HINCRBY', key, field, sign * value) end
  end
end

local function store_record ()
  redis.call ('HSET', ENT, 'body', BODY, 'city', CITY, 'county', COUNTY, 'dept', DEPT,
              'cluster', CLUSTER, 'status', STATUS, 'version', VERSION)
end

local function move_memberships ()
  local k = 5
  for _ = 1, N_OLD_IDX do redis.call ('ZREM', KEYS[k], CODE); k = k + 1 end
  for _ = 1, N_NEW_IDX do redis.call ('ZADD', KEYS[k], 0, CODE); k = k + 1 end
  for _ = 1, N_OLD_CNT do
    redis.call ('HINCRBY', KEYS[k], OLD_STATUS, -1); move_figures (KEYS[k], 24, -1); k = k + 1
  end
  for _ = 1, N_NEW_CNT do
    redis.call ('HINCRBY', KEYS[k], STATUS, 1); move_figures (KEYS[k], 29, 1); k = k + 1
  end
end

local function emit_record (type)
  return emit (type, CODE, 'innov.Enterprise', BODY,
               { city = CITY, county = COUNTY, department = DEPT, cluster = CLUSTER })
end

-- The name index holds "<name>\0<code>" at score 0: prefix search by ZRANGEBYLEX,
-- substring search by ZSCAN MATCH.
local function move_name ()
  if not OLD_NAME or not NAME_IDX or OLD_NAME == NEW_NAME then return end
  if OLD_NAME ~= '' then redis.call ('ZREM', NAME_IDX, OLD_NAME) end
  if NEW_NAME ~= '' then redis.call ('ZADD', NAME_IDX, 0, NEW_NAME) end
end

-- The whole write of a record: store it, move its indexes, counters and name entry,
-- emit `type` and answer 200 with `status` and the stored body.
local function write_record (type, status)
  store_record ()
  move_memberships ()
  move_name ()
  emit_record (type)
  return reply (200, status, BODY)
end

-- The stored version must still be the one the caller read (and the client's
-- expected version, if any); otherwise a refusal, before anything is written.
local function check_version ()
  local stored = redis.call ('HGET', ENT, 'version')
  if not stored then
    return fail (404, 'no enterprise ' .. CODE, 'enterprise.credit_code', 'not registered')
  end
  if EXPECTED_VERSION ~= '0' and stored ~= EXPECTED_VERSION then
    return fail (409, 'enterprise ' .. CODE .. ' is at version ' .. stored ..
                 ', not the expected version ' .. EXPECTED_VERSION,
                 'expected_version', 'version conflict')
  end
  if stored ~= READ_VERSION then
    return fail (409, 'enterprise ' .. CODE .. ' changed meanwhile (version ' .. stored ..
                 ', read ' .. READ_VERSION .. ')', '', 'stale')
  end
  return nil
end
