-- registry_update.lua: enterprise.update (after the outbox prelude and registry_common.lua).
-- The caller read the record at READ_VERSION and computed the new one; this checks the
-- stored version is still that one (and the client's expected version, if any), then
-- stores the record, moves its indexes and counters and emits enterprise.updated.
-- A 409 with reason "stale" means the record changed in between: the caller reads again.

local function main ()
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
  store_record ()
  move_memberships ()
  emit_record ('enterprise.updated')
  return reply (200, 'updated', BODY)
end
