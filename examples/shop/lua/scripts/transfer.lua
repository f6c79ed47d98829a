-- Move stock of one SKU between two warehouses.
--
-- KEYS[1]  source stock counter, e.g. {sku:A100}:stock:eu-1
-- KEYS[2]  destination stock counter, e.g. {sku:A100}:stock:us-1
-- ARGV[1]  quantity to move
-- ARGV[2]  transfer id (idempotency token)
--
-- Returns the new destination level, or an error reply.

local qty = tonumber(ARGV[1])
if not qty or qty <= 0 then
  return redis.error_reply('ERR quantity must be a positive integer')
end

local log_key = KEYS[1] .. ':log'
if redis.call('LPOS', log_key, ARGV[2]) then
  return redis.call('GET', KEYS[2])
end

local available = tonumber(redis.call('GET', KEYS[1]) or '0')
if available < qty then
  return redis.error_reply('ERR insufficient stock: ' .. available .. ' < ' .. qty)
end

redis.call('DECRBY', KEYS[1], ARGV[1])
local level = redis.call('INCRBY', KEYS[2], ARGV[1])

redis.call('RPUSH', log_key, ARGV[2])
redis.call('LTRIM', log_key, -1000, -1)

-- global counter for the ops dashboard
redis.call('INCR', 'stats:transfers')

return level
