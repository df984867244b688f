-- attnlab.tensor: the `tensor` global. The functions are the C core's
-- (src/lua/l_tensor.c); this file only chooses what is public and teaches
-- symbolic tensors how to print.
local core = require "attnlab.core"

local tensor = {}
local internal = { kernels = true, set_node = true, assign = true,
                   seed = true, symbolic = true, clock = true,
                   train = true, io = true }
for name, fn in pairs(core) do
  if not internal[name] then tensor[name] = fn end
end

-- <Input shape=(None, 64, 32)>, <Symbolic shape=(None, 64, 16) from dense>
debug.getregistry()["attnlab.symbolic_tostring"] = function(x, node, shape)
  if node and node.kind == "input" then
    return string.format("<Input shape=%s>", shape)
  end
  local from = node and (node.layer and node.layer.name or node.op)
  if from then
    return string.format("<Symbolic shape=%s from %s>", shape, from)
  end
  return string.format("<Symbolic shape=%s>", shape)
end

return tensor
