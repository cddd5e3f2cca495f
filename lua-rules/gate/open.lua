-- gate/open.lua: draws the event's lottery seed. The first writer wins, so every gate that
-- calls it concurrently agrees on one seed; later calls change nothing.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (see gate/README.md)
-- ARGV[1] = seed_hex: the seed, 16 to 64 bytes as lowercase hex (secret until revealed)
-- ARGV[2] = commitment_hex: sha256 of the seed bytes, lowercase hex (computed by the caller:
--           Redis Lua has no sha256)
-- Returns the stored commitment (the caller's, or the earlier writer's).
-- Errors (nothing changed): "ERR bad_argument <what>".

local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end
if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local lottery_key = KEYS[2]
local seed, commitment = ARGV[1], ARGV[2]
if #ARGV ~= 2 then return bad('ARGV must be seed_hex, commitment_hex') end
if #seed < 32 or #seed > 128 or #seed % 2 ~= 0 or string.match(seed, '^[0-9a-f]+$') == nil then
  return bad('seed_hex must be 16 to 64 bytes as lowercase hex')
end
if #commitment ~= 64 or string.match(commitment, '^[0-9a-f]+$') == nil then
  return bad('commitment_hex must be 32 bytes as lowercase hex')
end

if redis.call('HSETNX', lottery_key, 'seed', seed) == 1 then
  redis.call('HSET', lottery_key, 'commitment', commitment, 'revealed', '0')
  return commitment
end
return redis.call('HGET', lottery_key, 'commitment')
