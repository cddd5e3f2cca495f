-- gate/room.lua: everything a gate caches about an event, in one round trip. Gates call it
-- every 100-250 ms, so status requests are answered from memory, never from Redis.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (see gate/README.md)
-- ARGV[1] = now_ms: the calling gate's clock (decimal)
--
-- Seals the pre-queue first when now_ms >= on_sale_at_ms, and once sealed reveals the lottery
-- seed (revealed = 1): at on-sale the seed becomes public.
-- Returns a flat array of field, value strings (order not guaranteed):
--   the cfg fields queue_opens_at_ms, on_sale_at_ms, batch_size, batch_interval_ms,
--   active_cap, session_ms, paused, mode, waves, pow_difficulty, lag_target, version;
--   sealed, pre_count (the live pre-queue size before the seal), fifo_count, watermark,
--   last_tick_ms, admitted_total; commitment ("" before open.lua), revealed (0/1), seed (hex,
--   "" until revealed); active (admitted users whose session still runs at now_ms).
-- Errors (nothing changed): "ERR bad_argument <what>", "ERR not_configured".

local function is_int(s)
  return type(s) == 'string' and #s <= 15 and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end
local function fmt(n) return string.format('%.0f', n) end
local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end

if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local cfg_key, lottery_key, pre_key, state_key, ticks_key = KEYS[1], KEYS[2], KEYS[3], KEYS[5],
                                                            KEYS[6]
if #ARGV ~= 1 then return bad('ARGV must be now_ms') end
if not is_int(ARGV[1]) then return bad('now_ms must be a non-negative integer') end
local now = tonumber(ARGV[1])

local cfg = redis.call('HGETALL', cfg_key)
local c = {}
for i = 1, #cfg, 2 do c[cfg[i]] = cfg[i + 1] end
if c.mode == nil then return redis.error_reply('ERR not_configured the event has no waiting room') end

local s = {}
local stored = redis.call('HGETALL', state_key)
for i = 1, #stored, 2 do s[stored[i]] = stored[i + 1] end
if s.sealed ~= '1' and now >= tonumber(c.on_sale_at_ms) then
  s.sealed, s.pre_count = '1', fmt(redis.call('ZCARD', pre_key))
  redis.call('HSET', state_key, 'sealed', '1', 'pre_count', s.pre_count)
end

local commitment, revealed, seed = unpack(redis.call('HMGET', lottery_key, 'commitment',
                                                     'revealed', 'seed'))
if s.sealed == '1' and seed and revealed ~= '1' then
  redis.call('HSET', lottery_key, 'revealed', '1')
  revealed = '1'
end

local active = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', ticks_key,
                              '(' .. fmt(now - tonumber(c.session_ms)), '+inf')) do
  active = active + tonumber(string.match(m, '^%d+:(%d+):'))
end

local out = cfg
local function add(field, value)
  out[#out + 1] = field
  out[#out + 1] = value
end
add('sealed', s.sealed == '1' and '1' or '0')
add('pre_count', s.sealed == '1' and (s.pre_count or '0') or fmt(redis.call('ZCARD', pre_key)))
add('fifo_count', s.fifo_count or '0')
add('watermark', s.watermark or '0')
add('last_tick_ms', s.last_tick_ms or '0')
add('admitted_total', s.admitted_total or '0')
add('commitment', commitment or '')
add('revealed', revealed == '1' and '1' or '0')
add('seed', (revealed == '1' and seed) or '')
add('active', fmt(active))
return out
