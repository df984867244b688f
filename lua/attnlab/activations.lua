-- attnlab.activations: Keras's activation functions by name.
local core = require "attnlab.core"
local util = require "attnlab.util"

local activations = {}

activations.linear = function(x) return x end
activations.softmax = function(x) return core.softmax(x, -1) end
activations.log_softmax = function(x) return core.log_softmax(x, -1) end
activations.exponential = function(x) return core.exp(x) end
-- element-wise ones, from the C core (Keras 3 meanings: hard_sigmoid is
-- relu6(x + 3) / 6, gelu is exact)
for _, name in ipairs { "relu", "tanh", "sigmoid", "elu", "selu", "gelu",
                        "softplus", "softsign", "hard_sigmoid", "silu" } do
  activations[name] = core[name]
end
activations.swish = activations.silu

-- The function for a name, a function, or nil (linear). `who` names the
-- layer in the message for an unknown name.
function activations.get(id, who)
  if id == nil then return activations.linear, "linear" end
  if type(id) == "function" then return id, "custom" end
  if type(id) == "string" and activations[id] and id ~= "get" then
    return activations[id], id
  end
  local known = {}
  for _, k in ipairs(util.sorted_keys(activations)) do
    if k ~= "get" then known[#known + 1] = k end
  end
  util.error("%s: unknown activation '%s' (known: %s)", who or "activation",
             tostring(id), table.concat(known, ", "))
end

return activations
