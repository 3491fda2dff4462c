-- pairing_link.lua: agencies of the three guidance layers and their links (after the
-- outbox prelude and pairing_common.lua).
--   agency: ARGV[5] code, ARGV[6] kind number, ARGV[7] cluster, ARGV[8] industry,
--           ARGV[9] name: the projection of an alliance / expert team / platform
--           (from the registry's agency events; no event of its own)
--   link / unlink: ARGV[5] agency, ARGV[6..] credit codes. Every code is checked first:
--           a known enterprise, in the actor's scope, of the alliance's cluster or the
--           expert team's industry division. Emits guidance.linked / unlinked per change.

local MODE = ARGV[4]

local function main_agency ()
  local code, kind, cluster, industry, name = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local ak = k ('agency:' .. code)
  local old = redis.call ('HGET', ak, 'cluster')
  if old and old ~= cluster then redis.call ('ZREM', k ('alliances:' .. old), code) end
  redis.call ('HSET', ak, 'kind', kind, 'cluster', cluster, 'industry', industry, 'name', name)
  if kind == '5' and cluster ~= '' then redis.call ('ZADD', k ('alliances:' .. cluster), 0, code) end
  return reply (200, 'agency')
end

local function link_pb (agency, kind, code)
  return pb_str (1, agency) .. pb_int (2, kind) .. pb_str (3, code) .. pb_int (4, NOW) .. pb_str (5, ACTOR)
end

local function main_link ()
  local agency = ARGV[5]
  local a = redis.call ('HMGET', k ('agency:' .. agency), 'kind', 'cluster', 'industry')
  if not a[1] then
    return fail (404, 'no alliance, expert team or platform ' .. agency .. ' known to the pairing service', 'agency', 'not found')
  end
  local kind, cluster, industry = a[1], a[2] or '', a[3] or ''
  local list = {}
  for i = 6, #ARGV do
    local code = ARGV[i]
    local field = 'enterprises[' .. (i - 6) .. ']'
    local e = ent_get (code)
    if not e then return fail (400, '', field, code .. ' is not a known enterprise') end
    if not may_act (e) then
      return fail (403, string.format ('%s may not link enterprises of city %s / department %s', ACTOR, e.city, e.dept))
    end
    if MODE == 'link' and kind == '5' and cluster ~= '' and e.cluster ~= cluster then
      return fail (400, '', field, string.format ('%s is not in cluster %s of alliance %s', code, cluster, agency))
    end
    if MODE == 'link' and kind == '6' and industry ~= '' and string.sub (e.ind, 1, #industry) ~= industry then
      return fail (400, '', field, string.format ('%s is of industry %s; expert team %s covers %s', code, e.ind, agency, industry))
    end
    list[#list + 1] = { code, e }
  end
  local changed = 0
  for _, item in ipairs (list) do
    local code, e = item[1], item[2]
    local n
    if MODE == 'link' then
      n = redis.call ('ZADD', k ('guide:' .. agency), 0, code)
      redis.call ('ZADD', k ('guided:' .. code), 0, agency)
    else
      n = redis.call ('ZREM', k ('guide:' .. agency), code)
      redis.call ('ZREM', k ('guided:' .. code), agency)
    end
    if n == 1 then
      changed = changed + 1
      if kind == '5' and cluster ~= '' then
        redis.call ('HINCRBY', k ('guide.cluster'), cluster, MODE == 'link' and 1 or -1)
      end
      emit (MODE == 'link' and 'guidance.linked' or 'guidance.unlinked', agency, 'innov.GuidanceLink',
            link_pb (agency, kind, code), attrs_of (e))
    end
  end
  return reply (200, tostring (changed))
end

local function main ()
  if MODE == 'agency' then return main_agency () end
  return main_link ()
end
