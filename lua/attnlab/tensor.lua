-- attnlab.tensor: the `tensor` global. The functions are the C core's
-- (src/lua/l_tensor.c); this file only chooses what is public and teaches
-- symbolic tensors how to print.
local core = require "attnlab.core"

local tensor = {}
local internal = { kernels = true, set_node = true, assign = true,
                   seed = true, symbolic = true, clock = true,
                   train = true, io = true, isatty = true,
                   defer_interrupts = true, take_interrupt = true,
                   viz = true, printoptions = true }
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

-- tensor.save(x, path) and tensor.load(path): one tensor in a file, the
-- format chosen by the extension: ".npy" (NumPy's np.save / np.load) or
-- ".safetensors" (one tensor named "tensor"). Unlike core.io, which returns
-- nil and a message as Lua's io library does, these raise the error.
local function file_format(path, who)
  if type(path) ~= "string" then
    error(string.format("%s: the path must be a string, got %s", who,
                        type(path)), 3)
  end
  local ext = path:match("%.([^./]+)$")
  ext = ext and ext:lower()
  if ext == "npy" or ext == "safetensors" then return ext end
  error(string.format("%s: cannot tell the file format of '%s' from its "
                      .. "extension (supported: .npy, .safetensors)", who,
                      path), 3)
end

function tensor.save(x, path)
  if type(x) ~= "userdata" then
    error(string.format("tensor.save: the value to save must be a tensor, "
                        .. "got %s", type(x)), 2)
  end
  local fmt = file_format(path, "tensor.save")
  local ok, msg
  if fmt == "npy" then
    ok, msg = core.io.save_npy(path, x)
  else
    ok, msg = core.io.save_safetensors(path, { "tensor" }, { x })
  end
  if not ok then error(msg, 2) end
end

function tensor.load(path)
  local fmt = file_format(path, "tensor.load")
  if fmt == "npy" then
    local x, msg = core.io.load_npy(path)
    if not x then error(msg, 2) end
    return x
  end
  local names, tensors = core.io.load_safetensors(path)
  if not names then error(tensors, 2) end
  if #tensors ~= 1 then
    error(string.format("tensor.load: '%s' holds %d tensors (%s); "
                        .. "tensor.load reads a file with exactly one", path,
                        #tensors, table.concat(names, ", ")), 2)
  end
  return tensors[1]
end

-- tensor.set_printoptions{precision=4, linewidth="auto", threshold=1000,
-- edgeitems=3, suppress=false}: how tensors print, NumPy's
-- np.set_printoptions (the options not given stay as they are);
-- tensor.get_printoptions() returns them.
local util = require "attnlab.util"
local print_option_names = { precision = true, linewidth = true, threshold = true,
                             edgeitems = true, suppress = true }

function tensor.set_printoptions(opts)
  local who = "tensor.set_printoptions"
  opts = util.check_options(who, opts, print_option_names)
  local function integer(name, lo, hi, what)
    local v = opts[name]
    if v ~= nil and not (util.is_integer(v) and v >= lo and (not hi or v <= hi)) then
      util.error("%s: %s must be %s, got %s", who, name, what, util.show(v))
    end
    return v and math.tointeger(v)
  end
  local set = {
    precision = integer("precision", 0, 30, "an integer from 0 to 30"),
    edgeitems = integer("edgeitems", 1, nil, "a positive integer"),
  }
  local th = opts.threshold
  if th == math.huge then
    set.threshold = math.maxinteger
  else
    set.threshold = integer("threshold", 0, nil, "a non-negative integer or math.huge")
  end
  local lw = opts.linewidth
  if lw == "auto" then
    set.linewidth = 0
  elseif lw ~= nil then
    set.linewidth = integer("linewidth", 1, 100000,
                            "a positive integer or \"auto\" (the terminal's width)")
  end
  if opts.suppress ~= nil then
    if type(opts.suppress) ~= "boolean" then
      util.error("%s: suppress must be true or false, got %s", who, util.show(opts.suppress))
    end
    set.suppress = opts.suppress
  end
  core.printoptions(set)
end

function tensor.get_printoptions()
  local o = core.printoptions()
  if o.linewidth == 0 then o.linewidth = "auto" end
  if o.threshold == math.maxinteger then o.threshold = math.huge end
  return o
end

return tensor
