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

local ENT = KEYS[4]
local CODE, BODY = ARGV[4], ARGV[5]
local CITY, COUNTY, DEPT, CLUSTER = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local STATUS, VERSION = ARGV[10], ARGV[11]
local N_OLD_IDX, N_NEW_IDX = tonumber (ARGV[12]), tonumber (ARGV[13])
local N_OLD_CNT, N_NEW_CNT = tonumber (ARGV[14]), tonumber (ARGV[15])
local OLD_STATUS, READ_VERSION, EXPECTED_VERSION = ARGV[16], ARGV[17], ARGV[18]

local function store_record ()
  redis.call ('HSET', ENT, 'body', BODY, 'city', CITY, 'county', COUNTY, 'dept', DEPT,
              'cluster', CLUSTER, 'status', STATUS, 'version', VERSION)
end

local function move_memberships ()
  local k = 5
  for _ = 1, N_OLD_IDX do redis.call ('ZREM', KEYS[k], CODE); k = k + 1 end
  for _ = 1, N_NEW_IDX do redis.call ('ZADD', KEYS[k], 0, CODE); k = k + 1 end
  for _ = 1, N_OLD_CNT do redis.call ('HINCRBY', KEYS[k], OLD_STATUS, -1); k = k + 1 end
  for _ = 1, N_NEW_CNT do redis.call ('HINCRBY', KEYS[k], STATUS, 1); k = k + 1 end
end

local function emit_record (type)
  return emit (type, CODE, 'innov.Enterprise', BODY,
               { city = CITY, county = COUNTY, department = DEPT, cluster = CLUSTER })
end
