-- save_snapshot.lua: makes a staged snapshot of a partition the stored one, unless a newer one
-- is stored, so a former owner of the partition can never overwrite its successor's snapshot.
--
-- The writer first stages the bytes with a plain SET (with an expiry, in case it dies before
-- this call): a snapshot is megabytes, and passing it through Lua would copy it several times
-- while Redis serves no one else (110-200 ms for 11 MB, against 2 ms for the SET).
--
-- KEYS[1] = bx:snap:{p} (hash: offset, seq)
-- KEYS[2] = bx:snap:{p}:bytes (string: the stored snapshot)
-- KEYS[3] = bx:snap:{p}:staged:{offset} (string: the snapshot to store)
-- ARGV[1] = offset: the next command offset to read after the snapshot (decimal)
-- ARGV[2] = seq: the partition's last decision seq in the snapshot (decimal)
--
-- Stores only if offset is greater than the stored offset (or nothing is stored): renames the
-- staged key to KEYS[2] and clears its expiry. Returns 1 when stored, 0 when a snapshot at the
-- same or a later offset is already there (the staged key is then deleted). A staged key that
-- does not exist (expired) is an error, and changes nothing.

local function is_count(s)
  return s == '0' or string.match(s, '^[1-9]%d*$') ~= nil
end

local meta, bytes, staged = KEYS[1], KEYS[2], KEYS[3]
local offset, seq = ARGV[1], ARGV[2]
if staged == nil or offset == nil or seq == nil then
  return redis.error_reply('ERR save_snapshot.lua: needs KEYS meta, bytes, staged and ARGV ' ..
                           'offset, seq')
end
if not is_count(offset) or not is_count(seq) then
  return redis.error_reply('ERR save_snapshot.lua: offset and seq must be decimal numbers')
end

local stored = redis.call('HGET', meta, 'offset')
if stored and tonumber(stored) >= tonumber(offset) then
  redis.call('DEL', staged)
  return 0
end
if redis.call('EXISTS', staged) == 0 then
  return redis.error_reply('ERR save_snapshot.lua: ' .. staged .. ' does not exist (expired?)')
end
redis.call('RENAME', staged, bytes)
redis.call('PERSIST', bytes)
redis.call('HSET', meta, 'offset', offset, 'seq', seq)
return 1
