-- gate/join.lua: gives an identity its one place in the waiting room. Idempotent: the same
-- identity always gets the same place, however many tabs, devices or retries call it.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (see gate/README.md)
-- ARGV[1] = identity: 1-256 bytes, no spaces or control characters
-- ARGV[2] = now_ms: the calling gate's clock (decimal)
-- ARGV[3] = lottery_key: the identity's lottery key, an integer < 2^52 (decimal); ignored
--           outside the lottery pre-queue (send 0)
--
-- Seals the pre-queue first when now_ms >= on_sale_at_ms (see gate/README.md).
-- Returns {kind, position, n}:
--   {"pre_queue", 0, pre-queue size}  before the seal (position drawn at on-sale)
--   {"queued", position, watermark}   after it (admitted once position <= watermark)
--   {"admitted", 0, 0}                mode passthrough
-- Errors (nothing changed): "ERR bad_argument <what>", "ERR not_configured",
-- "ERR queue_closed" (mode closed), "ERR queue_not_open" (now_ms < queue_opens_at_ms).

local function is_int(s)
  return type(s) == 'string' and #s <= 15 and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end
local function fmt(n) return string.format('%.0f', n) end  -- exact for integers < 2^53
local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end

if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local cfg_key, pre_key, fifo_key, state_key = KEYS[1], KEYS[3], KEYS[4], KEYS[5]
if #ARGV ~= 3 then return bad('ARGV must be identity, now_ms, lottery_key') end
local identity, now_arg, key_arg = ARGV[1], ARGV[2], ARGV[3]
if #identity < 1 or #identity > 256 or string.find(identity, '[%z\1-\32\127]') then
  return bad('identity must be 1-256 bytes without spaces or control characters')
end
if not is_int(now_arg) then return bad('now_ms must be a non-negative integer') end
-- 2^52 - 1 has 16 digits: one more than the other numbers may have.
if #key_arg > 16 or (key_arg ~= '0' and string.match(key_arg, '^[1-9]%d*$') == nil)
    or tonumber(key_arg) >= 4503599627370496 then
  return bad('lottery_key must be an integer below 2^52')
end
local now = tonumber(now_arg)

local mode, opens_at, on_sale = unpack(redis.call('HMGET', cfg_key, 'mode', 'queue_opens_at_ms',
                                                  'on_sale_at_ms'))
if not mode then return redis.error_reply('ERR not_configured the event has no waiting room') end
if mode == 'closed' then return redis.error_reply('ERR queue_closed the waiting room is closed') end
if mode == 'passthrough' then return {'admitted', 0, 0} end

local sealed = redis.call('HGET', state_key, 'sealed') == '1'
if not sealed and now >= tonumber(on_sale) then
  redis.call('HSET', state_key, 'sealed', '1', 'pre_count', fmt(redis.call('ZCARD', pre_key)))
  sealed = true
end

if not sealed then
  if now < tonumber(opens_at) then
    return redis.error_reply('ERR queue_not_open the queue opens at ' .. opens_at)
  end
  if not redis.call('ZSCORE', pre_key, identity) then
    local score = key_arg
    -- fifo mode orders the pre-queue by join number instead of the lottery.
    if mode == 'fifo' then score = fmt(redis.call('HINCRBY', state_key, 'pre_seq', 1)) end
    redis.call('ZADD', pre_key, 'NX', score, identity)
    redis.call('HSETNX', state_key, 'pre_order', mode)
  end
  return {'pre_queue', 0, redis.call('ZCARD', pre_key)}
end

local watermark = tonumber(redis.call('HGET', state_key, 'watermark') or '0')
local rank = redis.call('ZRANK', pre_key, identity)
if rank then return {'queued', rank + 1, watermark} end
local position = redis.call('HGET', fifo_key, identity)
if not position then
  local pre_count = tonumber(redis.call('HGET', state_key, 'pre_count') or '0')
  local n = redis.call('HINCRBY', state_key, 'fifo_count', 1)
  position = fmt(pre_count + n)
  redis.call('HSET', fifo_key, identity, position)
end
return {'queued', tonumber(position), watermark}
