-- registry_agency.lua: agency.add / agency.update (after the outbox prelude).
--
-- KEYS[4] the agency hash "{PP}:agency:<code>"   KEYS[5] "{PP}:agency.idx:all"
-- KEYS[6] "{PP}:agency.idx:kind:<n>"             KEYS[7] "{PP}:agency.idx:parent:<parent>"
-- ARGV[4] code  ARGV[5] body (innov.Agency protobuf)  ARGV[6] mode: "add" or "update"
-- ARGV[7] version read by the caller (update)     ARGV[8] expected version (0 = any)
-- ARGV[9] new version  ARGV[10] kind number

local AGENCY, IDX_ALL, IDX_KIND, IDX_PARENT = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local CODE, BODY, MODE = ARGV[4], ARGV[5], ARGV[6]
local READ_VERSION, EXPECTED_VERSION, VERSION, KIND = ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local function main ()
  local stored = redis.call ('HGET', AGENCY, 'version')
  if MODE == 'add' then
    if stored then
      return fail (409, 'agency ' .. CODE .. ' already exists', 'agency.code', 'already exists')
    end
  else
    if not stored then
      return fail (404, 'no agency ' .. CODE, 'agency.code', 'not known')
    end
    if EXPECTED_VERSION ~= '0' and stored ~= EXPECTED_VERSION then
      return fail (409, 'agency ' .. CODE .. ' is at version ' .. stored ..
                   ', not the expected version ' .. EXPECTED_VERSION, 'expected_version', 'version conflict')
    end
    if stored ~= READ_VERSION then
      return fail (409, 'agency ' .. CODE .. ' changed meanwhile', '', 'stale')
    end
  end
  redis.call ('HSET', AGENCY, 'body', BODY, 'version', VERSION, 'kind', KIND)
  redis.call ('ZADD', IDX_ALL, 0, CODE)
  redis.call ('ZADD', IDX_KIND, 0, CODE)
  if IDX_PARENT then redis.call ('ZADD', IDX_PARENT, 0, CODE) end
  emit (MODE == 'add' and 'agency.created' or 'agency.updated', CODE, 'innov.Agency', BODY)
  return reply (200, MODE, BODY)
end
