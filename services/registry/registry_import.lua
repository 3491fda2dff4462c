-- registry_import.lua: one row of enterprise.import, an upsert by credit code (after the
-- outbox prelude and registry_common.lua, whose keys and arguments it takes).
-- READ_VERSION "0": the caller found no record, so this creates one (enterprise.created)
-- and answers "stale" if a record appeared meanwhile. Otherwise the stored version must
-- still be the one read, and the record is replaced (enterprise.updated). The caller
-- only sends rows that differ from what it read: an unchanged row runs no script.

local function main ()
  if READ_VERSION == '0' then
    if redis.call ('EXISTS', ENT) == 1 then
      return fail (409, 'enterprise ' .. CODE .. ' was registered meanwhile', '', 'stale')
    end
    return write_record ('enterprise.created', 'created')
  end
  local refused = check_version ()
  if refused then return refused end
  return write_record ('enterprise.updated', 'updated')
end
