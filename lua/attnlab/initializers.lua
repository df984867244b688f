-- attnlab.initializers: Keras's weight initializers by name. Every draw
-- comes from the one global stream, so nn.seed(n) fixes them all.
local core = require "attnlab.core"
local util = require "attnlab.util"

local initializers = {}

-- Keras's compute_fans: (in, out) for a kernel; receptive fields multiply.
local function fans(shape)
  local n = #shape
  if n == 0 then return 1, 1 end
  if n == 1 then return shape[1], shape[1] end
  if n == 2 then return shape[1], shape[2] end
  local receptive = 1
  for i = 1, n - 2 do receptive = receptive * shape[i] end
  return shape[n - 1] * receptive, shape[n] * receptive
end

-- stddev of a normal truncated at 2 stddev, over the wanted stddev
local TRUNC = 0.87962566103423978

local function variance_scaling(scale, mode, distribution)
  return function(shape)
    local fan_in, fan_out = fans(shape)
    local n = mode == "fan_in" and fan_in or mode == "fan_out" and fan_out
              or (fan_in + fan_out) / 2
    local var = scale / math.max(1, n)
    if distribution == "uniform" then
      local limit = math.sqrt(3 * var)
      return core.rand(shape, { minval = -limit, maxval = limit })
    end
    return core.kernels.truncated_normal(shape, 0, math.sqrt(var) / TRUNC)
  end
end

initializers.glorot_uniform = variance_scaling(1, "fan_avg", "uniform")
initializers.glorot_normal = variance_scaling(1, "fan_avg", "normal")
initializers.he_uniform = variance_scaling(2, "fan_in", "uniform")
initializers.he_normal = variance_scaling(2, "fan_in", "normal")
initializers.lecun_uniform = variance_scaling(1, "fan_in", "uniform")
initializers.lecun_normal = variance_scaling(1, "fan_in", "normal")
initializers.zeros = function(shape) return core.zeros(shape) end
initializers.ones = function(shape) return core.ones(shape) end
initializers.random_normal = function(shape)
  return core.randn(shape, { mean = 0, stddev = 0.05 })
end
initializers.random_uniform = function(shape)
  return core.rand(shape, { minval = -0.05, maxval = 0.05 })
end
initializers.truncated_normal = function(shape)
  return core.kernels.truncated_normal(shape, 0, 0.05)
end

-- Keras's Orthogonal (gain 1): a random orthogonal matrix from the QR
-- decomposition of a normal one (Gram-Schmidt here, in double precision;
-- its R has a positive diagonal, the sign Keras enforces).
initializers.orthogonal = function(shape)
  local n = #shape
  local rows, cols = 1, shape[n]
  for i = 1, n - 1 do rows = rows * shape[i] end
  local big, small = math.max(rows, cols), math.min(rows, cols)
  local a = core.randn(big, small):totable()
  for j = 1, small do
    for k = 1, j - 1 do
      local dot = 0
      for i = 1, big do dot = dot + a[i][j] * a[i][k] end
      for i = 1, big do a[i][j] = a[i][j] - dot * a[i][k] end
    end
    local norm = 0
    for i = 1, big do norm = norm + a[i][j] ^ 2 end
    norm = math.sqrt(norm)
    for i = 1, big do a[i][j] = a[i][j] / norm end
  end
  local q = a
  if rows < cols then -- the transpose, (rows, cols)
    q = {}
    for i = 1, small do
      q[i] = {}
      for j = 1, big do q[i][j] = a[j][i] end
    end
  end
  return core.reshape(core.from(q), shape)
end

-- The initializer for a name or a function(shape) -> tensor.
function initializers.get(id, who)
  if type(id) == "function" then return id end
  if type(id) == "string" and initializers[id] and id ~= "get" then
    return initializers[id]
  end
  local known = {}
  for _, k in ipairs(util.sorted_keys(initializers)) do
    if k ~= "get" then known[#known + 1] = k end
  end
  util.error("%s: unknown initializer '%s' (known: %s)", who or "initializer",
             tostring(id), table.concat(known, ", "))
end

return initializers
