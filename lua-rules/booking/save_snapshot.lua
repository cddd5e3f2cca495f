-- save_snapshot.lua: stores a worker's snapshot of a partition unless a newer one is stored,
-- so a former owner of the partition can never overwrite its successor's snapshot.
--
-- KEYS[1] = bx:snap:{p} (hash: offset, seq, bytes)
-- ARGV[1] = offset: the next command offset to read after the snapshot (decimal)
-- ARGV[2] = seq: the partition's last decision seq in the snapshot (decimal)
-- ARGV[3] = bytes: the snapshot (binary)
--
-- Writes only if offset is greater than the stored offset (or nothing is stored).
-- Returns 1 when written, 0 when a snapshot at the same or a later offset is already there.

local function is_count(s)
  return s == '0' or string.match(s, '^[1-9]%d*$') ~= nil
end

local key, offset, seq, bytes = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
if key == nil or offset == nil or seq == nil or bytes == nil then
  return redis.error_reply('ERR save_snapshot.lua: needs KEYS[1] and ARGV offset, seq, bytes')
end
if not is_count(offset) or not is_count(seq) then
  return redis.error_reply('ERR save_snapshot.lua: offset and seq must be decimal numbers')
end

local stored = redis.call('HGET', key, 'offset')
if stored and tonumber(stored) >= tonumber(offset) then return 0 end
redis.call('HSET', key, 'offset', offset, 'seq', seq, 'bytes', bytes)
return 1
