-- gate/configure.lua: changes an event's admission settings (a partial update) and bumps the
-- version, so every gate notices at its next room read. The first call creates the settings,
-- filling every field it does not name with its default.
--
-- KEYS = cfg, lottery, pre, fifo, state, ticks of one event (gate:{E}:...; see gate/README.md)
-- ARGV = field, value, field, value, ... (zero pairs: create with defaults / just bump)
--
-- Fields: queue_opens_at_ms, on_sale_at_ms, batch_size, batch_interval_ms, active_cap,
-- session_ms, paused, mode, waves, pow_difficulty, lag_target. "version" is not settable.
-- Returns the new version (integer).
-- Errors (nothing changed): "ERR bad_argument <what>".

local function is_int(s)
  return type(s) == 'string' and #s <= 15 and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end
local function bad(what) return redis.error_reply('ERR bad_argument ' .. what) end

if #KEYS ~= 6 then return bad('KEYS must be cfg, lottery, pre, fifo, state, ticks') end
local cfg_key, state_key = KEYS[1], KEYS[5]

local kDefaults = {
  queue_opens_at_ms = '0', on_sale_at_ms = '0', batch_size = '100', batch_interval_ms = '1000',
  active_cap = '0', session_ms = '600000', paused = '0', mode = 'lottery', waves = '',
  pow_difficulty = '0', lag_target = '0',
}
local kModes = { lottery = true, fifo = true, passthrough = true, closed = true }

-- nil when the waves list is valid, else why not.
local function check_waves(s)
  if s == '' then return nil end
  if #s > 2048 then return 'waves: too long' end
  local prev, count, open_ended = -1, 0, false
  for part in string.gmatch(s .. ',', '([^,]*),') do
    if open_ended then return 'waves: only the last wave may be unbounded (*)' end
    local at, cap = string.match(part, '^(%d+):([%d%*]+)$')
    if at == nil or not is_int(at) then return 'waves: "' .. part .. '" is not opens_at_ms:capacity' end
    if cap == '*' then
      open_ended = true
    elseif not is_int(cap) or cap == '0' then
      return 'waves: capacity must be a positive integer or *'
    end
    if tonumber(at) < prev then return 'waves: opening times must not decrease' end
    prev, count = tonumber(at), count + 1
  end
  if count > 64 then return 'waves: at most 64 waves' end
  return nil
end

local function check(field, value)
  if field == 'mode' then
    if not kModes[value] then return 'mode must be lottery, fifo, passthrough or closed' end
  elseif field == 'waves' then
    return check_waves(value)
  elseif field == 'paused' then
    if value ~= '0' and value ~= '1' then return 'paused must be 0 or 1' end
  elseif kDefaults[field] == nil then
    return 'unknown field ' .. tostring(field)
  elseif not is_int(value) then
    return field .. ' must be a non-negative integer'
  elseif (field == 'batch_size' or field == 'batch_interval_ms' or field == 'session_ms')
      and value == '0' then
    return field .. ' must be at least 1'
  elseif field == 'pow_difficulty' and tonumber(value) > 40 then
    return 'pow_difficulty must be at most 40 bits'
  end
  return nil
end

if #ARGV % 2 ~= 0 then return bad('ARGV must be field/value pairs') end

local stored = redis.call('HGETALL', cfg_key)
local merged = {}
for field, value in pairs(kDefaults) do merged[field] = value end
for i = 1, #stored, 2 do
  if kDefaults[stored[i]] ~= nil then merged[stored[i]] = stored[i + 1] end
end
for i = 1, #ARGV, 2 do
  local err = check(ARGV[i], ARGV[i + 1])
  if err then return bad(err) end
  merged[ARGV[i]] = ARGV[i + 1]
end
if tonumber(merged.queue_opens_at_ms) > tonumber(merged.on_sale_at_ms) then
  return bad('queue_opens_at_ms must not be after on_sale_at_ms')
end
-- Scores in the pre-queue are lottery keys or join numbers: they must not mix before the draw.
local pre_order = redis.call('HGET', state_key, 'pre_order')
if pre_order and (merged.mode == 'lottery' or merged.mode == 'fifo') and merged.mode ~= pre_order
    and redis.call('HGET', state_key, 'sealed') ~= '1' then
  return bad('mode cannot switch between lottery and fifo once the pre-queue has joiners')
end

local args = {}
for field, value in pairs(merged) do
  args[#args + 1] = field
  args[#args + 1] = value
end
redis.call('HSET', cfg_key, unpack(args))
return redis.call('HINCRBY', cfg_key, 'version', 1)
