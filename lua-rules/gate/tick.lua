-- gate/tick.lua: the admission tick. Any number of gates call it, each on its own timer; the
-- script decides whether a tick is due (now_ms - last_tick_ms >= batch_interval_ms), so the
-- watermark advances at most once per interval without any leader.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (see gate/README.md)
-- ARGV[1] = now_ms: the calling gate's clock (decimal)
-- ARGV[2] = lag (optional): the booking backend's command lag (decimal); with lag_target > 0
--           the batch shrinks linearly to 0 as lag reaches lag_target
--
-- Seals the pre-queue first when now_ms >= on_sale_at_ms (see gate/README.md). Advances only
-- when on sale, not paused, in mode lottery or fifo, and a tick is due:
--   batch = min(floor(batch_size * max(0, lag_target - lag) / lag_target)  (lag_target > 0),
--               active_cap - active                         (active_cap > 0),
--               pre_count + fifo_count - watermark,
--               open-wave limit - watermark)                (waves set), never below 0
-- A due tick sets last_tick_ms = now_ms even when its batch is 0; a batch > 0 is recorded in
-- the ticks set, from which active = the sum of batches admitted within the last session_ms.
-- Returns {admitted_this_tick, watermark, active} (integers; active includes this batch).
-- Errors (nothing changed): "ERR bad_argument <what>", "ERR not_configured".

local function is_int(s)
  return type(s) == 'string' and #s <= 15 and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end
local function fmt(n) return string.format('%.0f', n) end
local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end

if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local cfg_key, pre_key, state_key, ticks_key = KEYS[1], KEYS[3], KEYS[5], KEYS[6]
if #ARGV < 1 or #ARGV > 2 then return bad('ARGV must be now_ms [, lag]') end
if not is_int(ARGV[1]) then return bad('now_ms must be a non-negative integer') end
if ARGV[2] ~= nil and not is_int(ARGV[2]) then return bad('lag must be a non-negative integer') end
local now = tonumber(ARGV[1])
local lag = tonumber(ARGV[2] or '0')

local c = {}
local stored = redis.call('HGETALL', cfg_key)
for i = 1, #stored, 2 do c[stored[i]] = stored[i + 1] end
if c.mode == nil then return redis.error_reply('ERR not_configured the event has no waiting room') end

local state = {}
stored = redis.call('HGETALL', state_key)
for i = 1, #stored, 2 do state[stored[i]] = stored[i + 1] end
if state.sealed ~= '1' and now >= tonumber(c.on_sale_at_ms) then
  state.sealed, state.pre_count = '1', fmt(redis.call('ZCARD', pre_key))
  redis.call('HSET', state_key, 'sealed', '1', 'pre_count', state.pre_count)
end
local watermark = tonumber(state.watermark or '0')
local session_ms = tonumber(c.session_ms)

-- Sum of the batches still in their session; member = "<tick ms>:<batch>:<watermark after>".
local function active_at(t)
  local sum = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', ticks_key, '(' .. fmt(t - session_ms), '+inf')) do
    sum = sum + tonumber(string.match(m, '^%d+:(%d+):'))
  end
  return sum
end

local last = state.last_tick_ms and tonumber(state.last_tick_ms)
if state.sealed ~= '1' or c.paused == '1' or (c.mode ~= 'lottery' and c.mode ~= 'fifo')
    or (last ~= nil and now - last < tonumber(c.batch_interval_ms)) then
  return {0, watermark, active_at(now)}
end

redis.call('ZREMRANGEBYSCORE', ticks_key, '-inf', fmt(now - session_ms))
local active = active_at(now)

local batch = tonumber(c.batch_size)
local lag_target = tonumber(c.lag_target or '0')
if lag_target > 0 then
  -- Integer arithmetic (exact in doubles below 2^53), so every gate rounds alike.
  batch = math.floor(batch * math.max(0, lag_target - lag) / lag_target)
end
local cap = tonumber(c.active_cap)
if cap > 0 then batch = math.min(batch, cap - active) end
batch = math.min(batch, tonumber(state.pre_count or '0') + tonumber(state.fifo_count or '0')
                        - watermark)
if c.waves ~= nil and c.waves ~= '' then
  -- Waves split the positions into consecutive ranges; a wave's range is admissible once it
  -- opened. Open waves form a prefix (opening times never decrease).
  local limit = 0
  for at, capacity in string.gmatch(c.waves, '(%d+):([%d%*]+)') do
    if tonumber(at) > now then break end
    if capacity == '*' then
      limit = math.huge
      break
    end
    limit = limit + tonumber(capacity)
  end
  batch = math.min(batch, limit - watermark)
end
batch = math.max(0, batch)

redis.call('HSET', state_key, 'last_tick_ms', fmt(now))
if batch > 0 then
  watermark = watermark + batch
  redis.call('HSET', state_key, 'watermark', fmt(watermark))
  redis.call('HINCRBY', state_key, 'admitted_total', fmt(batch))
  redis.call('ZADD', ticks_key, fmt(now), fmt(now) .. ':' .. fmt(batch) .. ':' .. fmt(watermark))
  active = active + batch
end
return {batch, watermark, active}
