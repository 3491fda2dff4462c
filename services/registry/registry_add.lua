-- registry_add.lua: enterprise.add (after the outbox prelude and registry_common.lua).
-- The record arrives complete and validated; this refuses a code already registered,
-- then stores the record, joins its indexes and counters and emits enterprise.created.

local function main ()
  if redis.call ('EXISTS', ENT) == 1 then
    return fail (409, 'enterprise ' .. CODE .. ' is already registered',
                 'enterprise.credit_code', 'already registered')
  end
  return write_record ('enterprise.created', 'created')
end
