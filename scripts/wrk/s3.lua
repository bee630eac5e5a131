-- wrk script for anonymous S3 requests (the bucket policy must allow them).
-- Environment: OP=get|put, BUCKET, PREFIX; for get, OBJECTS (keys written
-- by `cairn bench put --keys sequential` under PREFIX are picked at
-- random); for put, SIZE (bytes; the body is the same random-looking
-- bytes every time, under a new random key).
local op = os.getenv("OP")
local bucket = os.getenv("BUCKET")
local prefix = os.getenv("PREFIX")
local objects = tonumber(os.getenv("OBJECTS") or "0")
local size = tonumber(os.getenv("SIZE") or "0")

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
  if op == "put" then
    local chunk = {}
    for i = 1, 4096 do
      chunk[i] = string.char(math.random(0, 255))
    end
    local block = table.concat(chunk)
    body = string.rep(block, math.floor(size / 4096)) .. string.sub(block, 1, size % 4096)
    wrk.headers["Content-Type"] = "application/octet-stream"
  end
end

request = function()
  if op == "put" then
    local key = string.format("%s%08x%08x", prefix, math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
    return wrk.format("PUT", "/" .. bucket .. "/" .. key, nil, body)
  end
  local key = string.format("%sobj%010d", prefix, math.random(1, objects))
  return wrk.format("GET", "/" .. bucket .. "/" .. key)
end
