-- registry_workflow.lua: enterprise.transition / close / review (after the outbox prelude
-- and registry_common.lua). The caller read the record, checked that the step is allowed
-- from the status it read and built the new record and the history entry; this checks
-- the version is still the one read (so the step is still allowed), then stores the
-- record, moves it between the status indexes and counters, appends the entry to the
-- enterprise's history list and emits the workflow event with the entry as payload.
-- A step the caller found illegal comes with its refusal: it runs only so that a retry
-- with the same idempotency key gets the first reply (the outbox prelude answers it).

local function main ()
  if FLOW_REFUSAL ~= '' then
    return fail (409, FLOW_REFUSAL, '', 'illegal transition')
  end
  local refused = check_version ()
  if refused then return refused end
  store_record ()
  move_memberships ()
  redis.call ('RPUSH', HISTORY, FLOW_ENTRY)
  emit (FLOW_EVENT, CODE, 'innov.StatusChange', FLOW_ENTRY,
        { city = CITY, county = COUNTY, department = DEPT, cluster = CLUSTER })
  return reply (200, FLOW_EVENT, BODY)
end
