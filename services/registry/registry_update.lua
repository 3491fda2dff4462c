-- registry_update.lua: enterprise.update (after the outbox prelude and registry_common.lua).
-- The caller read the record at READ_VERSION and computed the new one; this checks the
-- stored version is still that one (and the client's expected version, if any), then
-- stores the record, moves its indexes and counters and emits enterprise.updated.
-- A 409 with reason "stale" means the record changed in between: the caller reads again.

local function main ()
  local refused = check_version ()
  if refused then return refused end
  return write_record ('enterprise.updated', 'updated')
end
