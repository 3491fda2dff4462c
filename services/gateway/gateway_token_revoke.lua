-- token.revoke: forget a token and emit token.revoked.
-- KEYS[4] "{PP}:gw:tok:<sha>" (as read by the caller)  KEYS[5] "{PP}:gw:tokens"
-- ARGV[4] id  ARGV[5] sha (as read by the caller)
local function main ()
  local tok, tokens = KEYS[4], KEYS[5]
  local id, sha = ARGV[4], ARGV[5]
  if redis.call ('HGET', tokens, id) ~= sha then
    return fail (404, 'no token ' .. id, 'id', 'no such token (revoked already?)')
  end
  local body = redis.call ('HGET', tok, 'body') or ''
  redis.call ('DEL', tok)
  redis.call ('HDEL', tokens, id)
  emit ('token.revoked', id, 'innov.Token', body, {})
  return reply (200, 'revoked ' .. id, body)
end
