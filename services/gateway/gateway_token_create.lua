-- token.create: store a new token under the SHA-256 of its secret and emit token.created.
-- KEYS[4] "{PP}:gw:tok:<sha>"  KEYS[5] "{PP}:gw:tokens"
-- ARGV[4] id  ARGV[5] principal  ARGV[6] name  ARGV[7] prefix  ARGV[8] sha
-- ARGV[9] body (innov.Token protobuf, without the secret)
local function main ()
  local tok, tokens = KEYS[4], KEYS[5]
  local id, principal, name, prefix, sha, body = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  if redis.call ('EXISTS', tok) == 1 or redis.call ('HEXISTS', tokens, id) == 1 then
    return fail (409, 'token exists already', 'token', 'the same secret or id was given twice')
  end
  redis.call ('HSET', tok, 'id', id, 'principal', principal, 'name', name, 'created_ms', NOW,
              'created_by', ACTOR, 'prefix', prefix, 'body', body)
  redis.call ('HSET', tokens, id, sha)
  emit ('token.created', id, 'innov.Token', body, {})
  return reply (200, 'created ' .. id .. ' for ' .. principal, body)
end
