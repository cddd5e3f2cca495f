-- gate/reveal.lua: the operator's reveal of the lottery seed. Allowed once the pre-queue is
-- sealed (or now_ms >= on_sale_at_ms, which seals it), never before: the seed decides the
-- draw, and revealing it early would let joiners pick identities with good keys.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (see gate/README.md)
-- ARGV[1] = now_ms: the calling gate's clock (decimal)
--
-- Sets revealed = 1 (idempotent). Returns the seed (hex string).
-- Errors (nothing changed): "ERR bad_argument <what>", "ERR not_configured",
-- "ERR not_revealable" (before the seal), "ERR lottery_not_open" (open.lua never ran).

local function is_int(s)
  return type(s) == 'string' and #s <= 15 and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end
local function fmt(n) return string.format('%.0f', n) end
local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end

if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local cfg_key, lottery_key, pre_key, state_key = KEYS[1], KEYS[2], KEYS[3], KEYS[5]
if #ARGV ~= 1 then return bad('ARGV must be now_ms') end
if not is_int(ARGV[1]) then return bad('now_ms must be a non-negative integer') end
local now = tonumber(ARGV[1])

local on_sale = redis.call('HGET', cfg_key, 'on_sale_at_ms')
if not on_sale then return redis.error_reply('ERR not_configured the event has no waiting room') end
local seed = redis.call('HGET', lottery_key, 'seed')
if not seed then return redis.error_reply('ERR lottery_not_open no seed was drawn') end
local sealed = redis.call('HGET', state_key, 'sealed') == '1'
if not sealed and now < tonumber(on_sale) then
  return redis.error_reply('ERR not_revealable the seed is revealed at on-sale, ' .. on_sale)
end
if not sealed then
  redis.call('HSET', state_key, 'sealed', '1', 'pre_count', fmt(redis.call('ZCARD', pre_key)))
end
redis.call('HSET', lottery_key, 'revealed', '1')
return seed
