-- registry_seed.lua: the agencies every province starts with (after the outbox prelude).
-- Idempotent: an agency already stored is left as it is (it may have been edited since).
--
-- KEYS[4] "{PP}:agency:"  (prefix of the agency hashes)   KEYS[5] "{PP}:agency.idx:all"
-- KEYS[6] "{PP}:agency.idx:kind:"  KEYS[7] "{PP}:agency.idx:parent:"  (prefixes)
-- ARGV[4..] groups of four: code, kind number, parent ("" none), body (innov.Agency)
-- Emits one agency.seeded event when anything was created; returns the count in message.

local PREFIX, IDX_ALL, IDX_KIND, IDX_PARENT = KEYS[4], KEYS[5], KEYS[6], KEYS[7]

local function main ()
  local created = 0
  for i = 4, #ARGV, 4 do
    local code, kind, parent, body = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    if redis.call ('HSETNX', PREFIX .. code, 'body', body) == 1 then
      redis.call ('HSET', PREFIX .. code, 'version', 1, 'kind', kind)
      redis.call ('ZADD', IDX_ALL, 0, code)
      redis.call ('ZADD', IDX_KIND .. kind, 0, code)
      if parent ~= '' then redis.call ('ZADD', IDX_PARENT .. parent, 0, code) end
      created = created + 1
    end
  end
  if created > 0 then
    emit ('agency.seeded', '', '', '')
  end
  return reply (200, tostring (created), '')
end
