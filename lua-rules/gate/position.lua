-- gate/position.lua: looks up an identity's place without joining.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (see gate/README.md)
-- ARGV[1] = identity
-- ARGV[2] = now_ms: the calling gate's clock (decimal)
--
-- Seals the pre-queue first when now_ms >= on_sale_at_ms (see gate/README.md).
-- Returns {kind, position, n}, the shape of join.lua's answer:
--   {"pre_queue", 0, pre-queue size}  joined, before the seal
--   {"queued", position, watermark}   joined, after it
--   {"none", 0, watermark}            not joined (watermark 0 before the seal)
--   {"admitted", 0, 0}                mode passthrough
-- Errors (nothing changed): "ERR bad_argument <what>", "ERR not_configured".

local function is_int(s)
  return type(s) == 'string' and #s <= 15 and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end
local function fmt(n) return string.format('%.0f', n) end
local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end

if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local cfg_key, pre_key, fifo_key, state_key = KEYS[1], KEYS[3], KEYS[4], KEYS[5]
if #ARGV ~= 2 then return bad('ARGV must be identity, now_ms') end
local identity, now_arg = ARGV[1], ARGV[2]
if #identity < 1 or #identity > 256 then return bad('identity must be 1-256 bytes') end
if not is_int(now_arg) then return bad('now_ms must be a non-negative integer') end
local now = tonumber(now_arg)

local mode, on_sale = unpack(redis.call('HMGET', cfg_key, 'mode', 'on_sale_at_ms'))
if not mode then return redis.error_reply('ERR not_configured the event has no waiting room') end
if mode == 'passthrough' then return {'admitted', 0, 0} end

local sealed = redis.call('HGET', state_key, 'sealed') == '1'
if not sealed and now >= tonumber(on_sale) then
  redis.call('HSET', state_key, 'sealed', '1', 'pre_count', fmt(redis.call('ZCARD', pre_key)))
  sealed = true
end
if not sealed then
  if redis.call('ZSCORE', pre_key, identity) then
    return {'pre_queue', 0, redis.call('ZCARD', pre_key)}
  end
  return {'none', 0, 0}
end

local watermark = tonumber(redis.call('HGET', state_key, 'watermark') or '0')
local rank = redis.call('ZRANK', pre_key, identity)
if rank then return {'queued', rank + 1, watermark} end
local position = redis.call('HGET', fifo_key, identity)
if position then return {'queued', tonumber(position), watermark} end
return {'none', 0, watermark}
