#!lua flags=no-cluster
-- apply.lua: applies decisions of one Kafka partition of boxoffice.events to the read model
-- (key contract: lua-rules/booking/README.md).
--
-- KEYS: none. The keys a batch touches depend on its decisions (event, seats, users), which
-- only this script parses, so it builds the key names itself. Redis allows that outside
-- cluster mode; `flags=no-cluster` makes a cluster refuse the script up front instead of
-- failing on cross-slot keys half way.
--
-- ARGV[1] = partition (decimal)
-- ARGV[2] = required seq (decimal): the call is refused, changing nothing, unless
--           bx:applied:{partition} >= it. A caller that pipelines several calls passes the last
--           seq of the previous call, so a call that failed (NOSCRIPT, an error) is never
--           overtaken by the next one. 0 = no requirement.
-- then 15 fields per decision, in seq order:
--   seq         decimal, > 0, increasing within the call
--   type        held | rejected | payment_pending | booked | cancelled | expired | released |
--               offered | waitlisted | waitlist_left | waitlist_cleared | refund_required
--   at          ms (decimal, may be negative)
--   event       event id
--   user        user id, "" if none
--   rid         reservation key "{event}.{hex}" (booking/service/ids.h), "" if none
--   seats       comma-separated seat indices (at most 2^24 - 1), "" if none
--   expires_at  ms
--   amount      cents
--   position    waitlist position (waitlisted) or how many waited (waitlist_cleared)
--   payment_id  "" if none
--   provider    "" if none
--   code        the Errc name (rejected, refund_required), "" otherwise
--   request     request key (16 lowercase hex digits), "" if the request id is 0
--   json        the decision's JSON (README: Decision JSON), built by the projector: stored as
--               given in bx:reqs, bx:audit, the stream and the deltas. It must start with
--               {"seq":<seq>,"type":"<type>" and end with }, so a caller whose fields are out
--               of step is refused, and hold no line break (JSON escapes them in strings):
--               bx:reqs and the deltas keep one decision per line.
--
-- Decisions with seq <= bx:applied:{partition} are skipped, so replays and duplicates change
-- nothing. Everything is checked before the first write: bad input is an error reply and
-- changes nothing. A failure half way (a key of the wrong type) leaves bx:applied at the last
-- decision that completed, so a retry continues from there.
--
-- Returns the number of decisions applied (not skipped).

local FIELDS = 15
local REQUEST_TTL_S = 3600
local ANSWER_HASH_DIGITS = 14 -- of a request key's 16: the rest names its field
local STREAM_MAXLEN = '100000'
local ENDED_HOLD_TTL_S = 86400 -- cancelled and expired holds stay readable for a day
local MAX_SEAT = 16777215 -- the seat map is one byte per seat: 16 MB at most
local REQUEST_PATTERN = '^' .. string.rep('%x', 16) .. '$'

-- What a type needs to be applied: non-empty strings and seats.
local NEEDS = {
  held = {'event', 'user', 'rid', 'seats'},
  offered = {'event', 'user', 'rid', 'seats'},
  rejected = {},
  payment_pending = {'event', 'rid'},
  booked = {'event', 'user', 'rid', 'seats'},
  cancelled = {'event', 'rid'},
  expired = {'event', 'rid'},
  released = {'event', 'seats'},
  waitlisted = {'event', 'user', 'seats'},
  waitlist_left = {'event', 'user', 'seats'},
  waitlist_cleared = {'event', 'seats'},
  refund_required = {},
}

-- The checks run on every field of every decision: string.find answers with positions, where
-- string.match and gmatch would make a new Lua string of each match (hashed and interned).
local find, sub, byte = string.find, string.sub, string.byte

local function is_int(s)
  return s == '0' or find(s, '^%-?[1-9]%d*$') ~= nil
end
local function is_count(s)
  return s == '0' or find(s, '^[1-9]%d*$') ~= nil
end

local function parse_seats(csv)
  local seats = {}
  if csv == '' then return seats end
  local from = 1
  while true do
    local comma = find(csv, ',', from, true)
    local item = comma and sub(csv, from, comma - 1) or sub(csv, from)
    if not is_count(item) or tonumber(item) > MAX_SEAT then return nil end
    seats[#seats + 1] = item
    if comma == nil then return seats end
    from = comma + 1
  end
end

local partition = ARGV[1]
local required = ARGV[2]
if partition == nil or required == nil or not is_count(partition) or not is_count(required) then
  return redis.error_reply('ERR apply.lua: ARGV[1] (partition) and ARGV[2] (required seq) ' ..
                           'must be decimal numbers')
end
if (#ARGV - 2) % FIELDS ~= 0 then
  return redis.error_reply('ERR apply.lua: ' .. (#ARGV - 2) .. ' decision fields, not a ' ..
                           'multiple of ' .. FIELDS)
end

-- The error reply for decision number `index` of the call. Built only on failure: formatting
-- it up front for every decision took 3-5 % of the script's time.
local function refuse(index, seq, text)
  return redis.error_reply('ERR apply.lua: decision ' .. index .. ' (seq ' .. seq .. '): ' .. text)
end

-- Pass 1: read and check every decision; nothing is written before all are good.
local decisions = {}
local previous_seq = nil
for i = 3, #ARGV, FIELDS do
  local d = {
    seq = ARGV[i], type = ARGV[i + 1], at = ARGV[i + 2], event = ARGV[i + 3],
    user = ARGV[i + 4], rid = ARGV[i + 5], seats_csv = ARGV[i + 6], expires_at = ARGV[i + 7],
    amount = ARGV[i + 8], position = ARGV[i + 9], payment_id = ARGV[i + 10],
    provider = ARGV[i + 11], code = ARGV[i + 12], request = ARGV[i + 13],
    json = ARGV[i + 14],
    -- Derived, and checked below. Named in the constructor, the table is made at its final
    -- size: fields added after it would make Lua rebuild its hash part.
    seq_number = tonumber(ARGV[i]), seats = parse_seats(ARGV[i + 6]),
  }
  local index = #decisions + 1
  if not is_count(d.seq) or d.seq == '0' then
    return refuse(index, d.seq, 'seq must be a positive decimal number')
  end
  if previous_seq ~= nil and d.seq_number <= previous_seq then
    return refuse(index, d.seq, 'seqs must increase within a call')
  end
  previous_seq = d.seq_number
  if NEEDS[d.type] == nil then
    return refuse(index, d.seq, 'unknown type "' .. d.type .. '"')
  end
  if not (is_int(d.at) and is_int(d.expires_at) and is_int(d.amount)) then
    return refuse(index, d.seq, 'at, expires_at and amount must be decimal integers')
  end
  if not is_count(d.position) then
    return refuse(index, d.seq, 'position must be a decimal number')
  end
  if d.seats == nil then
    return refuse(index, d.seq,
                  'seats must be comma-separated seat indices (at most ' .. MAX_SEAT .. ')')
  end
  if d.request ~= '' and find(d.request, REQUEST_PATTERN) == nil then
    return refuse(index, d.seq, 'request must be 16 hex digits')
  end
  local needs = NEEDS[d.type]
  for k = 1, #needs do
    local field = needs[k]
    if (field == 'seats' and #d.seats == 0) or (field ~= 'seats' and d[field] == '') then
      return refuse(index, d.seq, d.type .. ' needs ' .. field)
    end
  end
  local head = '{"seq":' .. d.seq .. ',"type":"' .. d.type .. '"'
  if find(d.json, head, 1, true) ~= 1 or byte(d.json, -1) ~= 125 then -- 125: '}'
    return refuse(index, d.seq, 'json must be this decision\'s JSON, starting with ' .. head)
  end
  if find(d.json, '\n', 1, true) ~= nil then
    return refuse(index, d.seq, 'json must be one line')
  end
  decisions[#decisions + 1] = d
end

local applied_key = 'bx:applied:' .. partition
local applied = tonumber(redis.call('GET', applied_key) or '0')
if applied < tonumber(required) then
  return redis.error_reply('BXORDER apply.lua: partition ' .. partition .. ' has applied seq ' ..
                           applied .. ', this call needs ' .. required .. ' first')
end

local function seat_map(d) return 'bx:seats:' .. d.event end
local function waitlist(d, seat) return 'bx:wl:' .. d.event .. ':' .. seat end

local function set_seats(d, byte)
  for _, seat in ipairs(d.seats) do redis.call('SETRANGE', seat_map(d), seat, byte) end
end

-- The waitlist head leaves when offered the seat or skipped for their limit; LREM also covers
-- a head that is not first in Redis (the read model started mid-stream).
local function leave_head(d, seat)
  local key = waitlist(d, seat)
  if redis.call('LINDEX', key, 0) == d.user then
    redis.call('LPOP', key)
  else
    redis.call('LREM', key, 1, d.user)
  end
end

local function start_hold(d, kind)
  set_seats(d, 'h')
  redis.call('HSET', 'bx:res:' .. d.rid, 'event', d.event, 'user', d.user, 'seats', d.seats_csv,
             'kind', kind, 'status', 'held', 'expires_at', d.expires_at, 'amount', d.amount,
             'created_at', d.at, 'updated_at', d.at)
  redis.call('SADD', 'bx:user:' .. d.user .. ':reservations', d.rid)
end

local function end_hold(d, status)
  local key = 'bx:res:' .. d.rid
  redis.call('HSET', key, 'status', status, 'updated_at', d.at)
  redis.call('EXPIRE', key, ENDED_HOLD_TTL_S)
end

-- Applies one decision; returns whether it goes to the audit lists and the delta stream.
local function apply(d)
  local t = d.type
  if t == 'held' then
    start_hold(d, 'reserve')
  elseif t == 'offered' then
    for _, seat in ipairs(d.seats) do leave_head(d, seat) end
    start_hold(d, 'offer')
  elseif t == 'rejected' then
    -- Handing a seat over skips a waiting user at their ticket limit: they leave the list.
    -- That is the only rejection that names a seat with limit_exceeded.
    if d.code == 'limit_exceeded' and #d.seats > 0 and d.event ~= '' and d.user ~= '' then
      for _, seat in ipairs(d.seats) do leave_head(d, seat) end
      return true
    end
    return false
  elseif t == 'payment_pending' then
    redis.call('HSET', 'bx:res:' .. d.rid, 'status', 'payment_pending',
               'expires_at', d.expires_at, 'updated_at', d.at)
  elseif t == 'booked' then
    local key = 'bx:res:' .. d.rid
    -- The same payment confirmed again yields the same booking: booked_at stays the first.
    if redis.call('HGET', key, 'status') ~= 'booked' then
      set_seats(d, 'b')
      redis.call('PERSIST', key)
      redis.call('HSET', key, 'event', d.event, 'user', d.user, 'seats', d.seats_csv,
                 'status', 'booked', 'amount', d.amount, 'payment_id', d.payment_id,
                 'provider', d.provider, 'booked_at', d.at, 'updated_at', d.at)
      redis.call('ZADD', 'bx:user:' .. d.user .. ':bookings', d.at, d.rid)
    end
  elseif t == 'cancelled' then
    end_hold(d, 'cancelled')
  elseif t == 'expired' then
    end_hold(d, 'expired')
  elseif t == 'released' then
    set_seats(d, '\0')
  elseif t == 'waitlisted' then
    -- Joining again answers the same position: the list keeps one entry per user.
    for _, seat in ipairs(d.seats) do
      local key = waitlist(d, seat)
      if redis.call('LPOS', key, d.user) == false then redis.call('RPUSH', key, d.user) end
    end
  elseif t == 'waitlist_left' then
    for _, seat in ipairs(d.seats) do redis.call('LREM', waitlist(d, seat), 0, d.user) end
  elseif t == 'waitlist_cleared' then
    for _, seat in ipairs(d.seats) do redis.call('DEL', waitlist(d, seat)) end
  elseif t == 'refund_required' then
    local refund = '{"payment_id":' .. cjson.encode(d.payment_id) ..
                   ',"provider":' .. cjson.encode(d.provider) .. ',"amount":' .. d.amount ..
                   ',"reservation_id":' .. cjson.encode(d.rid) ..
                   ',"user":' .. cjson.encode(d.user) .. ',"reason":' .. cjson.encode(d.code) ..
                   ',"seq":' .. d.seq .. '}'
    redis.call('HSET', 'bx:refunds', d.provider .. ':' .. d.payment_id, refund)
    return false
  end
  return true
end

-- A request's answer: its decisions' JSON, one per line, in the hash of the 256 request keys
-- that share its first 14 hex digits (an API instance numbers its requests in order), under the
-- last two. A field of a shared hash costs Redis under half what a key of its own with an expiry
-- does (lua-rules/booking/README.md). Nearly every request has one decision; a later one is
-- appended. The hashes written get their expiry once per call, after the decisions.
local answer_hashes = {} -- key -> true
local function answer_request(d)
  local key = 'bx:reqs:' .. sub(d.request, 1, ANSWER_HASH_DIGITS)
  local field = sub(d.request, ANSWER_HASH_DIGITS + 1)
  if redis.call('HSETNX', key, field, d.json) == 0 then
    redis.call('HSET', key, field, redis.call('HGET', key, field) .. '\n' .. d.json)
  end
  answer_hashes[key] = true
end

-- Pass 2: apply. bx:applied is written once, after the last decision applied; if a write fails
-- half way, after the last decision that completed, so a retry continues from there.
local count = 0
local last_applied = nil
-- The deltas applied, per event, published once per event at the end: one message per
-- decision cost Redis a PUBLISH each and every subscriber a message each.
local deltas, delta_events = {}, {}
local function apply_all()
  for _, d in ipairs(decisions) do
    if d.seq_number > applied then
      local fans_see_it = apply(d)
      if d.request ~= '' then answer_request(d) end
      if fans_see_it then
        for _, seat in ipairs(d.seats) do
          redis.call('RPUSH', 'bx:audit:' .. d.event .. ':' .. seat, d.json)
        end
        -- An entry at or below the stream's top (the stream outlived bx:applied) is already
        -- there: skip it rather than fail the batch.
        local added = redis.pcall('XADD', 'bx:stream:' .. d.event, 'MAXLEN', '~',
                                  STREAM_MAXLEN, d.seq .. '-1', 'd', d.json)
        if type(added) == 'table' and added.err ~= nil and
            string.find(added.err, 'equal or smaller', 1, true) == nil then
          error(added.err, 0)
        end
        local lines = deltas[d.event]
        if lines == nil then
          lines = {}
          deltas[d.event] = lines
          delta_events[#delta_events + 1] = d.event
        end
        lines[#lines + 1] = d.json
      end
      applied = d.seq_number
      last_applied = d.seq
      count = count + 1
    end
  end
end

local ok, failure = pcall(apply_all)
if last_applied ~= nil then redis.call('SET', applied_key, last_applied) end
for key in pairs(answer_hashes) do redis.call('EXPIRE', key, REQUEST_TTL_S) end
for _, event in ipairs(delta_events) do
  redis.call('PUBLISH', 'bx:deltas:' .. event, table.concat(deltas[event], '\n'))
end
if not ok then
  -- A failed redis.call raises its error reply: as text, or (newer Redis) in a table.
  if type(failure) == 'table' and failure.err ~= nil then failure = failure.err end
  return redis.error_reply(tostring(failure))
end
return count
