-- attnlab.merge: Keras 3's merge layers (Add, Subtract, Multiply, Average,
-- Maximum, Minimum, Concatenate, Dot), its reshaping layers (Permute,
-- Reshape, Flatten, RepeatVector), GlobalAveragePooling1D and
-- GlobalMaxPooling1D, Softmax, Dropout, TimeDistributed and Lambda.
--
-- Everything here is built from the tensor ops, so it works on symbolic
-- tensors (shapes only) and is differentiable. Masks are 1/0 float tensors
-- (batch, time) kept in nn.masks, as in layers.lua; they follow Keras 3
-- (3.4 and later):
--   * Add, Subtract, Average, Multiply, Maximum, Minimum: the output mask is
--     the OR of the input masks when every input has one, else no mask;
--     Multiply, Maximum and Minimum also keep masked steps out of the
--     result (Keras's _apply_merge_op_and_or_mask and Multiply).
--   * Concatenate: a missing mask counts as all ones; the masks, broadcast
--     to their inputs, are concatenated and reduced with any over the last
--     axis.
--   * Dot and GlobalAveragePooling1D: no output mask.
--   * Softmax, Dropout, TimeDistributed: the input mask passes through.
--   * Permute, Reshape, Flatten, RepeatVector, GlobalMaxPooling1D and a
--     Lambda without mask=: the layer does not support masking; the mask is
--     dropped, with Keras's UserWarning on stderr (once per layer).
local core = require "attnlab.core"
local util = require "attnlab.util"

return function(nn)
  local Layer, class, is_tensor = nn.Layer, nn.class, nn.is_tensor
  local masks = nn.masks
  local None = core.None

  -- ---- helpers ------------------------------------------------------------

  local function who(self)
    return self.class_name .. " '" .. self.name .. "'"
  end

  -- Python's repr of a shape or an integer tuple: (None, 3), (3,), ()
  local function tup(t, first, last)
    first, last = first or 1, last or #t
    local parts = {}
    for i = first, last do parts[#parts + 1] = tostring(t[i]) end
    if #parts == 1 then return "(" .. parts[1] .. ",)" end
    return "(" .. table.concat(parts, ", ") .. ")"
  end

  -- a list of shapes as Python prints it: [(None, 3), (None, 4)]
  local function shape_list(xs)
    local parts = {}
    for i = 1, #xs do parts[i] = tostring(xs[i].shape) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end

  local function show(v)
    if type(v) == "table" and not is_tensor(v) and v ~= None then
      return tup(v)
    end
    return util.show(v)
  end

  -- the shape of x without its batch axis, as a plain list
  local function tail(shape)
    local out = {}
    for i = 2, #shape do out[i - 1] = shape[i] end
    return out
  end

  -- Runs fn(...); an error from a tensor op is raised again at the
  -- learner's line with the layer's name in front.
  local function guard(self, fn, ...)
    local r = table.pack(pcall(fn, ...))
    if not r[1] then
      local msg = tostring(r[2]):gsub("^[^\n]-:%d+: ", "", 1)
      util.error("%s: %s", who(self), msg)
    end
    return table.unpack(r, 2, r.n)
  end

  -- Keras's InputSpec check, its message
  local function check_ndim(self, x, ndim, min)
    local n = x.ndim
    if (min and n < ndim) or (not min and n ~= ndim) then
      util.error('%s: Input 0 of layer "%s" is incompatible with the layer: expected %s=%d, found ndim=%d. Full shape received: %s',
                 who(self), self.name, min and "min_ndim" or "ndim", ndim, n,
                 tostring(x.shape))
    end
  end

  -- where(m, a, b) for a 1/0 mask m: a * m + b * (1 - m), exact for finite
  -- values, and the gradient goes to a where m is 1, to b elsewhere
  local function where(m, a, b)
    return core.add(core.mul(a, m), core.mul(b, core.sub(1, m)))
  end

  local function ones_like(x)
    if x.symbolic then return core.symbolic(x.shape) end
    return core.ones(x.shape)
  end

  -- splits a constructor's table into its list part and its options:
  -- nn.Permute{2, 1, name = "p"} -> {2, 1}, {name = "p"}
  local function split(t)
    local list, opts = {}, {}
    for k, v in pairs(t) do
      if math.type(k) == "integer" and k >= 1 and k <= #t then
        list[k] = v
      else
        opts[k] = v
      end
    end
    return list, opts
  end

  local function check_bool(w, opts, key)
    local v = opts[key]
    if v ~= nil and type(v) ~= "boolean" then
      util.error("%s: %s must be true or false, got %s", w, key, util.show(v))
    end
  end

  local function check_data_format(w, v)
    if v == nil then return "channels_last" end
    if v ~= "channels_last" and v ~= "channels_first" then
      util.error("%s: The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=%s",
                 w, util.show(v))
    end
    return v
  end

  -- ---- calling a layer on a tensor or on a table of tensors -------------

  local call_options = { mask = true, training = true }

  local function any_mask(mask, list, n)
    if not list then return mask ~= nil end
    for i = 1, n do
      if mask[i] ~= nil then return true end
    end
    return false
  end

  local function warn_mask(self)
    if self._warned_mask then return end
    self._warned_mask = true
    io.stderr:write(string.format(
      "UserWarning: Layer '%s' (of type %s) was passed an input with a mask attached to it. However, this layer does not support masking and will therefore destroy the mask information. Downstream layers will not see the mask.\n",
      self.name, self.class_name))
  end

  -- layer(x [, {mask=, training=}]) for every layer here. A merge layer
  -- takes a table of tensors {a, b, ...} (Keras's list), and mask= is then
  -- a table of masks; Lambda takes either. Builds on the first call, then
  -- computes; a symbolic result records {layer=, inputs=, index=, mask=,
  -- options=} (inputs: the tensors of the table, list_input=true when the
  -- layer was called on a table).
  local function layer_call(self, x, opts)
    local list = false
    if is_tensor(x) then
      if self.takes_list == "only" then self:not_a_list(x) end
    elseif type(x) == "table" and self.takes_list and getmetatable(x) == nil then
      list = true
      for i = 1, #x do
        if not is_tensor(x[i]) then
          util.error("%s: input %d is %s, not a tensor", who(self), i,
                     type(x[i]))
        end
      end
      if self.takes_list == "only" and #x == 0 then self:not_a_list(x) end
    else
      util.error("%s: expected %s, got %s", who(self),
                 self.takes_list == "only" and "a table of tensors, e.g. {a, b}"
                 or self.takes_list and "a tensor or a table of tensors"
                 or "a tensor", type(x))
    end
    opts = util.check_options(who(self), opts, call_options)
    local mask = opts.mask
    if list then
      if mask == nil then
        mask = { n = #x }
        for i = 1, #x do mask[i] = masks[x[i]] end
      elseif type(mask) ~= "table" or is_tensor(mask) then
        util.error("%s: mask must be a table of masks, one per input (nil for none)",
                   who(self))
      end
    elseif mask ~= nil and not is_tensor(mask) then
      util.error("%s: mask must be a tensor, got %s", who(self), type(mask))
    elseif mask == nil then
      mask = masks[x]
    end
    if not self.built then
      if self.build then self:build(x, list) end
      self.built = true
    end
    local y = self:call(x, mask, opts, list)
    local out_mask
    if not self.supports_masking then
      if any_mask(mask, list, list and #x) then warn_mask(self) end
    elseif self.compute_mask then
      out_mask = self:compute_mask(x, mask, list)
    else
      out_mask = mask
    end
    local ins = list and { table.unpack(x) } or { x }
    local outs = (is_tensor(y) or type(y) ~= "table") and { y } or y
    for i = 1, #outs do
      local o = outs[i]
      if is_tensor(o) and o.symbolic then
        -- a layer that returns its input (Dropout at inference, an
        -- identity Lambda) gets a new symbolic tensor: the input keeps its
        -- own record
        for _, v in ipairs(ins) do
          if rawequal(v, o) then o = core.symbolic(o.shape); break end
        end
        outs[i] = o
        core.set_node(o, { layer = self, inputs = ins, op = self.name,
                           index = i, mask = mask, options = opts,
                           list_input = list or nil })
      end
    end
    if is_tensor(y) then y = outs[1] end
    -- (an input given back keeps the mask it has, as in Keras)
    if is_tensor(y) and out_mask ~= nil
       and not (masks[y] ~= nil and (rawequal(y, x) or list)) then
      masks[y] = out_mask
    end
    return y
  end

  -- a class whose instances are called by layer_call
  local function layer_class(name)
    local cls = class(name)
    cls.__call = layer_call
    return cls
  end

  local function new(cls, opts, base)
    local self = setmetatable({}, cls)
    self.name = opts.name or nn.unique_name(base)
    if type(self.name) ~= "string" then
      util.error("%s: name must be a string, got %s", cls.class_name,
                 util.show(self.name))
    end
    self.weights = {}
    return self
  end

  -- ---- merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum -

  -- Keras's Merge._compute_elemwise_op_output_shape on shapes without the
  -- batch axis
  local function elemwise_shape(self, s1, s2)
    if #s1 < #s2 then return elemwise_shape(self, s2, s1) end
    if #s2 == 0 then return s1 end
    local out, off = {}, #s1 - #s2
    for i = 1, off do out[i] = s1[i] end
    for k = 1, #s2 do
      local i, j = s1[off + k], s2[k]
      if i == None or j == None then
        out[#out + 1] = None
      elseif i == 1 then
        out[#out + 1] = j
      elseif j == 1 then
        out[#out + 1] = i
      elseif i ~= j then
        util.error("%s: Inputs have incompatible shapes. Received shapes %s and %s",
                   who(self), tup(s1), tup(s2))
      else
        out[#out + 1] = i
      end
    end
    return out
  end

  -- Keras's Merge.build: the checks, on every call
  local function merge_check(self, xs)
    local batch
    for _, x in ipairs(xs) do
      local b = x.ndim > 0 and x.shape[1] or None
      if b ~= None then
        if batch ~= nil and b ~= batch then
          util.error("%s: Cannot merge tensors with different batch sizes. Received tensors with shapes %s",
                     who(self), shape_list(xs))
        end
        batch = b
      end
    end
    local out = tail(xs[1].shape)
    for i = 2, #xs do out = elemwise_shape(self, out, tail(xs[i].shape)) end
    -- Keras's compute_output_shape: the batch size if known, then out
    table.insert(out, 1, batch or None)
    return out
  end

  local function merge_not_a_list(self, x)
    if is_tensor(x) then
      util.error("%s: A merge layer should be called on a list of inputs. Received: input_shape=%s (not a list of shapes)",
                 who(self), tostring(x.shape))
    end
    util.error("%s: A merge layer should be called on a list of at least 1 input. Received 0 inputs. Full input_shape received: []",
               who(self))
  end

  -- the masks, expanded over the features axis, or nil when the inputs had
  -- to be reshaped (Keras then loses them) or have none
  local function expanded_masks(xs, mask, reshaped)
    local out = { n = #xs }
    if reshaped then return out end
    for i = 1, #xs do
      if mask[i] ~= nil then out[i] = core.expand_dims(mask[i], -1) end
    end
    return out
  end

  local merge_fns = {}

  local function fold(op)
    return function(xs)
      local y = xs[1]
      for i = 2, #xs do y = op(y, xs[i]) end
      return y
    end
  end

  merge_fns.Add = fold(core.add)
  merge_fns.Subtract = function(xs) return core.sub(xs[1], xs[2]) end
  merge_fns.Average = function(xs) return core.div(fold(core.add)(xs), #xs) end

  -- Keras's Multiply: masked entries count as 1; when every input has a
  -- mask, entries masked in all inputs are zero
  merge_fns.Multiply = function(xs, m)
    local all = true
    for i = 1, #xs do all = all and m[i] ~= nil end
    local y, om
    for i = 1, #xs do
      local x = xs[i]
      if m[i] ~= nil then
        x = where(m[i], x, 1)
        if all then om = om and core.maximum(om, m[i]) or m[i] end
      end
      y = y and core.mul(y, x) or x
    end
    if all and om then y = core.mul(y, om) end
    return y
  end

  -- Keras's _apply_merge_op_and_or_mask, for Maximum and Minimum
  local function merge_or_mask(op)
    return function(xs, m)
      local y, om = xs[1], m[1]
      for i = 2, #xs do
        local x, mi = xs[i], m[i]
        if mi ~= nil then x = where(mi, x, y) end
        if om ~= nil then y = where(om, y, x) end
        if mi ~= nil and om ~= nil then om = core.maximum(om, mi) else om = nil end
        y = op(y, x)
      end
      return y
    end
  end
  merge_fns.Maximum = merge_or_mask(core.maximum)
  merge_fns.Minimum = merge_or_mask(core.minimum)

  local merge_bases = { Add = "add", Subtract = "subtract", Multiply = "multiply",
                        Average = "average", Maximum = "maximum",
                        Minimum = "minimum" }

  for cls_name, base in pairs(merge_bases) do
    local M = layer_class(cls_name)
    M.takes_list = "only"
    M.supports_masking = true
    M.not_a_list = merge_not_a_list
    local fn = merge_fns[cls_name]

    -- nn.Add({name=}) and so on: called on a table of tensors, {a, b}
    nn[cls_name] = function(opts)
      opts = util.check_options(cls_name, opts, { name = true })
      return new(M, opts, base)
    end

    function M:call(xs, mask)
      local shape = merge_check(self, xs)
      if cls_name == "Subtract" and #xs ~= 2 then
        util.error("%s: A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=%s",
                   who(self), shape_list(xs))
      end
      -- inputs of lower rank get axes of size 1 after the batch axis
      local maxn, reshaped = 0, false
      for _, x in ipairs(xs) do maxn = math.max(maxn, x.ndim) end
      local ys = {}
      for i, x in ipairs(xs) do
        while x.ndim < maxn do x = core.expand_dims(x, 1); reshaped = true end
        ys[i] = x
      end
      local y = guard(self, fn, ys, expanded_masks(xs, mask, reshaped))
      -- symbolic: Keras's shape (None where an input's size is None)
      if y.symbolic then y = core.symbolic(shape) end
      return y
    end

    -- Keras 3's Merge.compute_mask: the OR of the masks when every input
    -- has one
    function M:compute_mask(xs, mask)
      local out
      for i = 1, #xs do
        if mask[i] == nil then return nil end
        out = out and core.maximum(out, mask[i]) or mask[i]
      end
      return out
    end
  end

  -- ---- Concatenate ---------------------------------------------------------

  local Concatenate = layer_class("Concatenate")
  Concatenate.takes_list = "only"
  Concatenate.supports_masking = true

  -- nn.Concatenate(), nn.Concatenate(axis), nn.Concatenate{axis=-1, name=}
  function nn.Concatenate(opts)
    if type(opts) == "number" then opts = { axis = opts } end
    opts = util.check_options("Concatenate", opts, { axis = true, name = true })
    local self = new(Concatenate, opts, "concatenate")
    self.axis = opts.axis or -1
    if not util.is_integer(self.axis) then
      util.error("Concatenate: axis must be an integer, got %s", util.show(self.axis))
    end
    self.axis = math.tointeger(self.axis)
    return self
  end

  function Concatenate:describe()
    return "axis=" .. self.axis
  end

  function Concatenate:not_a_list(x)
    util.error("%s: A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape=%s",
               who(self), is_tensor(x) and tostring(x.shape) or "[]")
  end

  -- Keras's Concatenate.build: the shapes without the concatenation axis
  -- must agree where they are known
  local function concat_check(self, xs)
    local reduced = {}
    for i, x in ipairs(xs) do
      local s = {}
      for d = 1, x.ndim do s[d] = x.shape[d] end
      local a = self.axis
      if a < 0 then a = a + #s end
      if a >= 0 and a < #s then table.remove(s, a + 1) end
      reduced[i] = s
    end
    local bad = false
    for i = 2, #reduced do
      if #reduced[i] ~= #reduced[1] then bad = true end
    end
    if not bad then
      for d = 1, #reduced[1] do
        local known
        for i = 1, #reduced do
          local v = reduced[i][d]
          if v ~= None then
            if known ~= nil and v ~= known then bad = true end
            known = v
          end
        end
      end
    end
    if bad then
      util.error("%s: A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=%s",
                 who(self), shape_list(xs))
    end
  end

  function Concatenate:call(xs)
    concat_check(self, xs)
    local y = guard(self, core.concat, xs, self.axis)
    if y.symbolic then
      -- Keras's compute_output_shape: the first input's shape, the
      -- concatenation axis summed (None if one is None)
      local out = {}
      for d = 1, xs[1].ndim do out[d] = xs[1].shape[d] end
      local a = (self.axis < 0 and self.axis + #out or self.axis) + 1
      for i = 2, #xs do
        local v = xs[i].shape[a]
        if out[a] == None or v == None then out[a] = None; break end
        out[a] = out[a] + v
      end
      y = core.symbolic(out)
    end
    return y
  end

  function Concatenate:compute_mask(xs, mask)
    local any = false
    for i = 1, #xs do any = any or mask[i] ~= nil end
    if not any then return nil end
    local ms = {}
    for i, x in ipairs(xs) do
      local m = mask[i]
      if m == nil then
        ms[i] = ones_like(x)
      elseif m.ndim < x.ndim then
        ms[i] = core.mul(core.expand_dims(m, -1), ones_like(x))
      else
        ms[i] = m
      end
    end
    return guard(self, function()
      return core.max(core.concat(ms, self.axis), -1)
    end)
  end

  -- ---- Dot -----------------------------------------------------------------

  local Dot = layer_class("Dot")
  Dot.takes_list = "only"
  Dot.supports_masking = true

  local function is_pair(t)
    if type(t) ~= "table" or is_tensor(t) or t == None then return false end
    for k in pairs(t) do
      if math.type(k) ~= "integer" then return false end
    end
    return true
  end

  -- nn.Dot(axes [, {normalize=, name=}]) or nn.Dot{axes=, normalize=,
  -- name=}; axes an integer or a pair {axis1, axis2}, counted with the
  -- batch axis (Keras's Dot(axes=(2, 1))).
  function nn.Dot(axes, opts)
    if type(axes) == "table" and not is_pair(axes) then
      if opts ~= nil then
        util.error("Dot: expected nn.Dot(axes, {options}) or nn.Dot{axes=, ...}")
      end
      local list
      list, opts = split(axes)
      axes = opts.axes
      if axes == nil and #list > 0 then axes = #list == 1 and list[1] or list end
      opts.axes = nil
    end
    opts = util.check_options("Dot", opts, { normalize = true, name = true })
    if axes == nil then
      util.error("Dot: missing the required argument axes (an integer, or a pair {axis1, axis2})")
    end
    if not util.is_integer(axes) then
      if type(axes) ~= "table" or is_tensor(axes) then
        util.error("Dot: Invalid type for argument `axes`: it should be a list or an int. Received: axes=%s",
                   show(axes))
      end
      if #axes ~= 2 then
        util.error("Dot: Invalid format for argument `axes`: it should contain two elements. Received: axes=%s",
                   show(axes))
      end
      if not util.is_integer(axes[1]) or not util.is_integer(axes[2]) then
        util.error("Dot: Invalid format for argument `axes`: list elements should be integers. Received: axes=%s",
                   show(axes))
      end
      axes = { math.tointeger(axes[1]), math.tointeger(axes[2]) }
    else
      axes = math.tointeger(axes)
    end
    check_bool("Dot", opts, "normalize")
    local self = new(Dot, opts, "dot")
    self.axes = axes
    self.normalize = opts.normalize == true
    return self
  end

  function Dot:describe()
    local a = type(self.axes) == "table" and tup(self.axes) or tostring(self.axes)
    return "axes=" .. a .. (self.normalize and ", normalize=true" or "")
  end

  function Dot:not_a_list(x)
    util.error("%s: A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=%s",
               who(self), is_tensor(x) and tostring(x.shape) or "[]")
  end

  -- L2 normalization as Keras's ops.normalize: x * min(rsqrt(sum x^2),
  -- 1 / epsilon), epsilon = 1e-7
  local function l2_normalize(x, axis)
    local ss = core.sum(core.mul(x, x), axis, true)
    return core.div(x, core.sqrt(core.maximum(ss, 1e-14)))
  end

  function Dot:call(xs)
    if #xs ~= 2 then
      util.error("%s: A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=%s",
                 who(self), shape_list(xs))
    end
    local x1, x2 = xs[1], xs[2]
    local s1, s2 = x1.shape, x2.shape
    local n1, n2 = x1.ndim, x2.ndim
    -- Keras's build: the axes as given (Python indexing), then compared
    local a1, a2
    if type(self.axes) == "number" then
      if self.axes < 0 then
        a1 = n1 > 0 and self.axes % n1 or self.axes
        a2 = n2 > 0 and self.axes % n2 or self.axes
      else
        a1, a2 = self.axes, self.axes
      end
    else
      a1, a2 = self.axes[1], self.axes[2]
    end
    local function at(s, n, a)
      if a < -n or a >= n then return nil end
      return s[(a < 0 and a + n or a) + 1]
    end
    local d1, d2 = at(s1, n1, a1), at(s2, n2, a2)
    if d1 == nil or d2 == nil then
      util.error("%s: axes %s are out of range for input shapes %s and %s",
                 who(self), tup({ a1, a2 }), tostring(s1), tostring(s2))
    end
    if d1 ~= d2 then
      local msg = string.format(
        "%s: Incompatible input shapes: axis values %s (at axis %d) != %s (at axis %d). Full input shapes: %s, %s",
        who(self), tostring(d1), a1, tostring(d2), a2, tostring(s1), tostring(s2))
      -- the usual slip in attention recipes: contracting time with
      -- features; the last axes agree, so scores want them
      if n1 >= 3 and n2 >= 3 and s1[n1] ~= None and s1[n1] == s2[n2]
         and not (a1 % n1 == n1 - 1 and a2 % n2 == n2 - 1) then
        msg = msg .. string.format(". Hint: for query-key scores use axes={%d, %d}",
                                   n1 - 1, n2 - 1)
      end
      util.error("%s", msg)
    end
    -- Keras's _merge_function: the axes made positive, then batch_dot
    if a1 < 0 then a1 = a1 % n1 end
    if a2 < 0 then a2 = a2 % n2 end
    if n1 < 2 or n2 < 2 then
      util.error("%s: Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes %s and %s.",
                 who(self), tostring(s1), tostring(s2))
    end
    if s1[1] ~= None and s2[1] ~= None and s1[1] ~= s2[1] then
      util.error("%s: Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes %s and %s.",
                 who(self), tostring(s1), tostring(s2))
    end
    if a1 == 0 or a2 == 0 then
      util.error("%s: Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)",
                 who(self))
    end
    if self.normalize then
      x1 = l2_normalize(x1, a1)
      x2 = l2_normalize(x2, a2)
    end
    return guard(self, core.batch_dot, x1, x2, { a1, a2 })
  end

  function Dot:compute_mask() return nil end

  -- ---- Permute, Reshape, Flatten, RepeatVector ----------------------------

  local Permute = layer_class("Permute")

  -- nn.Permute{2, 1} or nn.Permute({2, 1}, {name=}) or nn.Permute{dims=,
  -- name=}: Keras's Permute((2, 1)); dims count from 1 without the batch
  -- axis.
  function nn.Permute(dims, opts)
    if type(dims) ~= "table" or is_tensor(dims) then
      util.error("Permute: expected dims, e.g. nn.Permute{2, 1}, got %s", type(dims))
    end
    local list, o = split(dims)
    if o.dims ~= nil then list = o.dims; o.dims = nil end
    if opts ~= nil then
      if next(o) ~= nil then
        util.error("Permute: expected nn.Permute(dims, {options}) or nn.Permute{2, 1, name=}")
      end
      o = opts
    end
    o = util.check_options("Permute", o, { name = true })
    if type(list) ~= "table" then
      util.error("Permute: dims must be a table of integers, got %s", type(list))
    end
    local sorted, d = {}, {}
    for i = 1, #list do
      if not util.is_integer(list[i]) then
        util.error("Permute: Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims=%s",
                   tup(list))
      end
      d[i] = math.tointeger(list[i])
      sorted[i] = d[i]
    end
    table.sort(sorted)
    for i = 1, #sorted do
      if sorted[i] ~= i then
        util.error("Permute: Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims=%s",
                   tup(d))
      end
    end
    local self = new(Permute, o, "permute")
    self.dims = d
    return self
  end

  function Permute:describe()
    return "dims=" .. tup(self.dims)
  end

  function Permute:call(x)
    check_ndim(self, x, #self.dims + 1)
    local perm = { 0 }
    for i, d in ipairs(self.dims) do perm[i + 1] = d end
    return guard(self, core.transpose, x, perm)
  end

  local Reshape = layer_class("Reshape")

  -- nn.Reshape{3, 4} or nn.Reshape({3, 4}, {name=}) or
  -- nn.Reshape{target_shape=, name=}: Keras's Reshape((3, 4)), the shape
  -- without the batch axis, one size may be -1.
  function nn.Reshape(target, opts)
    if type(target) ~= "table" or is_tensor(target) then
      util.error("Reshape: expected a target shape, e.g. nn.Reshape{3, 4}, got %s",
                 type(target))
    end
    local list, o = split(target)
    if o.target_shape ~= nil then list = o.target_shape; o.target_shape = nil end
    if opts ~= nil then
      if next(o) ~= nil then
        util.error("Reshape: expected nn.Reshape(target_shape, {options}) or nn.Reshape{3, 4, name=}")
      end
      o = opts
    end
    o = util.check_options("Reshape", o, { name = true })
    if type(list) ~= "table" then
      util.error("Reshape: target_shape must be a table of integers, got %s", type(list))
    end
    local shape, unknown = {}, 0
    for i = 1, #list do
      local v = list[i]
      if not util.is_integer(v) or (v < 0 and v ~= -1) then
        util.error("Reshape: target_shape must hold non-negative integers and at most one -1, got %s",
                   tup(list))
      end
      shape[i] = math.tointeger(v)
      if v == -1 then unknown = unknown + 1 end
    end
    if unknown > 1 then
      util.error("Reshape: The `target_shape` argument must not contain more than one `-1` value. Received: target_shape=%s",
                 tup(shape))
    end
    local self = new(Reshape, o, "reshape")
    self.target_shape = shape
    return self
  end

  function Reshape:describe()
    return "target_shape=" .. tup(self.target_shape)
  end

  -- Keras's compute_reshape_output_shape on the shape without the batch
  function Reshape:output_shape(shape)
    local input, new_shape = tail(shape), self.target_shape
    local out = {}
    for i = 1, #input do
      if input[i] == None then
        for j, d in ipairs(new_shape) do out[j] = d == -1 and None or d end
        return out
      end
    end
    local size = 1
    for _, d in ipairs(input) do size = size * d end
    local known, hole = 1, nil
    for j, d in ipairs(new_shape) do
      out[j] = d
      if d == -1 then hole = j else known = known * d end
    end
    if hole == nil then
      if known ~= size then
        util.error("%s: The total size of the tensor must be unchanged. Received: input_shape=%s, target_shape=%s",
                   who(self), tup(input), tup(new_shape))
      end
      return out
    end
    if known == 0 or size % known ~= 0 then
      util.error("%s: The total size of the tensor must be unchanged, however, the input size cannot by divided by the specified dimensions in target_shape. Received: input_shape=%s, target_shape=%s",
                 who(self), tup(input), tup(new_shape))
    end
    out[hole] = size // known
    return out
  end

  function Reshape:call(x)
    if x.ndim < 1 then check_ndim(self, x, 1, true) end
    local out = self:output_shape(x.shape)
    table.insert(out, 1, x.shape[1])
    if x.symbolic then return core.symbolic(out) end
    return guard(self, core.reshape, x, out)
  end

  local Flatten = layer_class("Flatten")

  -- nn.Flatten{data_format=, name=}: (batch, ...) -> (batch, product)
  function nn.Flatten(opts)
    opts = util.check_options("Flatten", opts, { data_format = true, name = true })
    local df = check_data_format("Flatten", opts.data_format)
    local self = new(Flatten, opts, "flatten")
    self.data_format = df
    if df ~= "channels_last" then
      self.describe = function() return "data_format=" .. df end
    end
    return self
  end

  function Flatten:call(x)
    check_ndim(self, x, 1, true)
    local n = x.ndim
    if self.data_format == "channels_first" and n > 1 then
      local perm = { 0 }
      for i = 2, n - 1 do perm[#perm + 1] = i end
      perm[#perm + 1] = 1
      x = core.transpose(x, perm)
    end
    local size = 1
    for i = 2, n do
      if x.shape[i] == None then size = None; break end
      size = size * x.shape[i]
    end
    local out = { x.shape[1], size }
    if x.symbolic then return core.symbolic(out) end
    return guard(self, core.reshape, x, out)
  end

  local RepeatVector = layer_class("RepeatVector")

  -- nn.RepeatVector(n, {name=}): (batch, features) -> (batch, n, features)
  function nn.RepeatVector(n, opts)
    if type(n) == "table" and not is_tensor(n) and opts == nil then
      opts = Layer.clone_options(n)
      n = opts.n ~= nil and opts.n or opts[1]
      opts.n, opts[1] = nil, nil
    end
    opts = util.check_options("RepeatVector", opts, { name = true })
    if not util.is_integer(n) or math.type(n) == "float" then
      util.error("RepeatVector: Expected an integer value for `n`, got %s",
                 util.show(n))
    end
    if n < 0 then
      util.error("RepeatVector: n must be a non-negative integer, got %d", n)
    end
    local self = new(RepeatVector, opts, "repeat_vector")
    self.n = math.tointeger(n)
    return self
  end

  function RepeatVector:describe()
    return "n=" .. self.n
  end

  function RepeatVector:call(x)
    check_ndim(self, x, 2)
    -- a broadcast against ones: each copy's gradient adds up in x
    return core.mul(core.expand_dims(x, 1), core.ones(1, self.n, 1))
  end

  -- ---- GlobalAveragePooling1D, GlobalMaxPooling1D --------------------------

  local function make_pooling(cls_name, base, is_avg)
    local P = layer_class(cls_name)
    if is_avg then P.supports_masking = true end

    -- nn.GlobalAveragePooling1D{data_format=, keepdims=, name=}
    nn[cls_name] = function(opts)
      opts = util.check_options(cls_name, opts,
                                { data_format = true, keepdims = true, name = true })
      local df = check_data_format(cls_name, opts.data_format)
      check_bool(cls_name, opts, "keepdims")
      local self = new(P, opts, base)
      self.data_format = df
      self.keepdims = opts.keepdims == true
      if df ~= "channels_last" or self.keepdims then
        self.describe = function(s)
          return string.format("data_format=%s, keepdims=%s", s.data_format,
                               tostring(s.keepdims))
        end
      end
      return self
    end

    function P:call(x, mask)
      check_ndim(self, x, 3)
      local steps = self.data_format == "channels_last" and 1 or 2
      if not is_avg then
        return guard(self, core.max, x, steps, self.keepdims)
      end
      if mask == nil then
        return guard(self, core.mean, x, steps, self.keepdims)
      end
      -- the mean over the unmasked steps
      local m = core.expand_dims(mask, self.data_format == "channels_last" and 2 or 1)
      return guard(self, function()
        local s = core.sum(core.mul(x, m), steps, self.keepdims)
        return core.div(s, core.sum(m, steps, self.keepdims))
      end)
    end

    if is_avg then
      function P:compute_mask() return nil end
    end
    return P
  end

  make_pooling("GlobalAveragePooling1D", "global_average_pooling1d", true)
  make_pooling("GlobalMaxPooling1D", "global_max_pooling1d", false)
  nn.GlobalAvgPool1D = nn.GlobalAveragePooling1D
  nn.GlobalMaxPool1D = nn.GlobalMaxPooling1D

  -- ---- Softmax -------------------------------------------------------------

  local Softmax = layer_class("Softmax")
  Softmax.supports_masking = true

  -- nn.Softmax(), nn.Softmax(axis), nn.Softmax{axis=-1, name=}; axis an
  -- integer or a table of axes
  function nn.Softmax(opts)
    if type(opts) == "number" then opts = { axis = opts } end
    opts = util.check_options("Softmax", opts, { axis = true, name = true })
    local axis = opts.axis
    if axis == nil then axis = -1 end
    local ok = util.is_integer(axis)
    if type(axis) == "table" and not is_tensor(axis) then
      ok = #axis > 0
      for i = 1, #axis do ok = ok and util.is_integer(axis[i]) end
    end
    if not ok then
      util.error("Softmax: axis must be an integer or a table of integers, got %s",
                 show(axis))
    end
    local self = new(Softmax, opts, "softmax")
    self.axis = axis
    return self
  end

  function Softmax:describe()
    return "axis=" .. (type(self.axis) == "table" and tup(self.axis) or tostring(self.axis))
  end

  function Softmax:call(x, mask)
    return guard(self, function()
      if mask ~= nil then
        -- Keras 3: masked entries get -1e9 before the softmax
        x = core.add(x, core.mul(core.sub(1, mask), -1e9))
      end
      local axis = self.axis
      if type(axis) == "table" then
        if #axis == 1 then return core.softmax(x, axis[1]) end
        local e = core.exp(core.sub(x, core.max(x, axis, true)))
        return core.div(e, core.sum(e, axis, true))
      end
      return core.softmax(x, axis)
    end)
  end

  -- ---- Dropout -------------------------------------------------------------

  local Dropout = layer_class("Dropout")
  Dropout.supports_masking = true

  local function check_noise_shape(ns)
    if ns == nil then return nil end
    if type(ns) == "string" then
      util.error("Dropout: Invalid value received for argument `noise_shape`. Expected a tuple or list of integers. Received: noise_shape=%s",
                 ns)
    end
    if type(ns) ~= "table" or is_tensor(ns) then
      util.error("Dropout: Invalid value received for argument `noise_shape`. Expected an iterable of integers (e.g., a tuple or list). Received: noise_shape=%s",
                 util.show(ns))
    end
    local out = {}
    for i = 1, #ns do
      local d = ns[i]
      if d ~= None then
        if not util.is_integer(d) then
          util.error("Dropout: Invalid value received for argument `noise_shape`. Expected all elements to be integers or None. Received element at index %d: %s (type: %s)",
                     i - 1, tostring(d), math.type(d) or type(d))
        end
        if d <= 0 then
          util.error("Dropout: Invalid value received for argument `noise_shape`. Expected all dimensions to be positive integers or None. Received negative or zero value at index %d: %s",
                     i - 1, tostring(d))
        end
        d = math.tointeger(d)
      end
      out[i] = d
    end
    return out
  end

  -- nn.Dropout(rate, {noise_shape=, seed=, name=}) or nn.Dropout{rate=,
  -- ...}: Keras's inverted dropout, only when called with {training=true}.
  -- Without seed= the masks come from the nn.seed stream; with seed= the
  -- layer has its own stream (Keras's SeedGenerator(seed)).
  function nn.Dropout(rate, opts)
    if type(rate) == "table" and not is_tensor(rate) and opts == nil then
      opts = Layer.clone_options(rate)
      rate = opts.rate ~= nil and opts.rate or opts[1]
      opts.rate, opts[1] = nil, nil
    end
    opts = util.check_options("Dropout", opts,
                              { noise_shape = true, seed = true, name = true })
    if type(rate) ~= "number" or not (rate >= 0 and rate <= 1) then
      util.error("Dropout: Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=%s",
                 util.show(rate))
    end
    if opts.seed ~= nil and not util.is_integer(opts.seed) then
      util.error("Dropout: seed must be an integer, got %s", util.show(opts.seed))
    end
    local ns = check_noise_shape(opts.noise_shape)
    local self = new(Dropout, opts, "dropout")
    self.rate = rate
    self.noise_shape = ns
    self.seed = opts.seed and math.tointeger(opts.seed)
    self.state = self.seed
    return self
  end

  function Dropout:describe()
    local s = "rate=" .. tostring(self.rate)
    if self.noise_shape then s = s .. ", noise_shape=" .. tup(self.noise_shape) end
    if self.seed then s = s .. ", seed=" .. self.seed end
    return s
  end

  -- the layer's own stream (splitmix64) for seed=: a mask of 1 / keep and 0
  local function seeded_mask(self, shape, keep)
    local n = 1
    for _, d in ipairs(shape) do n = n * d end
    if n == 0 then return core.zeros(shape) end
    local vals, state = {}, self.state
    local scale, inv = 1 / 2 ^ 53, 1 / keep
    for i = 1, n do
      state = state + 0x9E3779B97F4A7C15
      local z = state
      z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
      z = (z ~ (z >> 27)) * 0x94D049BB133111EB
      z = z ~ (z >> 31)
      vals[i] = ((z >> 11) * scale < keep) and inv or 0
    end
    self.state = state
    return core.reshape(core.from(vals), shape)
  end

  function Dropout:call(x, _, opts)
    if not opts.training or self.rate == 0 then return x end
    if x.symbolic then return core.symbolic(x.shape) end
    local shape = {}
    local ns = self.noise_shape
    if ns then
      local ok = #ns == x.ndim
      for i = 1, x.ndim do
        local d = ns[i]
        if d == None then d = x.shape[i] end
        shape[i] = d
        ok = ok and (d == x.shape[i] or d == 1)
      end
      if not ok then
        util.error("%s: noise_shape %s does not fit the input shape %s (each size must be the input's, 1 or None)",
                   who(self), tup(ns), tostring(x.shape))
      end
    else
      for i = 1, x.ndim do shape[i] = x.shape[i] end
    end
    local m
    if self.rate >= 1 then
      m = core.zeros(shape)
    elseif self.seed ~= nil then
      m = seeded_mask(self, shape, 1 - self.rate)
    else
      m = core.kernels.dropout_mask(shape, self.rate)
    end
    return core.mul(x, m)
  end

  -- ---- TimeDistributed -----------------------------------------------------

  local TimeDistributed = layer_class("TimeDistributed")
  TimeDistributed.supports_masking = true

  local function is_layer(l)
    if type(l) ~= "table" then return false end
    local mt = getmetatable(l)
    while mt do
      if mt == Layer then return true end
      local up = getmetatable(mt)
      mt = up and up.__index
      if type(mt) ~= "table" then return false end
    end
    return false
  end

  -- nn.TimeDistributed(layer, {name=}): applies layer to every time step
  -- (axis 1) of a (batch, time, ...) input, the same weights at every step;
  -- time is folded into the batch, so the layer runs once.
  function nn.TimeDistributed(layer, opts)
    opts = util.check_options("TimeDistributed", opts, { name = true })
    if not is_layer(layer) then
      util.error("TimeDistributed: Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: %s",
                 is_tensor(layer) and "a tensor" or util.show(layer))
    end
    local self = new(TimeDistributed, opts, "time_distributed")
    self.layer = layer
    self.weights = layer.weights or {}
    self.weight_names = layer.weight_names or {}
    return self
  end

  function TimeDistributed:describe()
    return "layer=" .. tostring(self.layer)
  end

  local function child_shape(self, x)
    if x.ndim < 3 then
      util.error("%s: `TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: %s",
                 who(self), tostring(x.shape))
    end
    local s = { x.shape[1] }
    for i = 3, x.ndim do s[#s + 1] = x.shape[i] end
    return s
  end

  function TimeDistributed:build(x)
    local inner = self.layer
    local s = child_shape(self, x)
    if not inner.built then
      -- the layers of this file build from a tensor, the others from a
      -- shape
      local child = core.symbolic(s)
      if inner.build then
        inner:build(inner.__call == layer_call and child or child.shape)
      end
      inner.built = true
    end
    self.weights = inner.weights or {}
    self.weight_names = inner.weight_names or {}
  end

  function TimeDistributed:call(x, mask, opts)
    local s = child_shape(self, x)
    local inner = self.layer
    local sub = { training = opts.training }
    local B, T = x.shape[1], x.shape[2]
    if mask ~= nil and (mask.shape[1] ~= B or mask.shape[2] ~= T) then
      util.error("%s: `TimeDistributed` Layer should be passed a `mask` of shape (%s, %s, ...), received: mask.shape=%s",
                 who(self), tostring(B), tostring(T), tostring(mask.shape))
    end
    if x.symbolic then
      -- shapes only: the layer on one (batch, ...) step
      local y = inner:call(core.symbolic(s), nil, sub)
      local out = { B, T }
      for i = 2, y.ndim do out[#out + 1] = y.shape[i] end
      return core.symbolic(out)
    end
    s[1] = B * T
    local xs = core.reshape(x, s)
    local m
    if mask ~= nil and mask.ndim > 2 then
      local ms = { B * T }
      for i = 3, mask.ndim do ms[#ms + 1] = mask.shape[i] end
      m = core.reshape(mask, ms)
    end
    local y = inner:call(xs, m, sub)
    if not is_tensor(y) then
      util.error("%s: the layer %s did not return a tensor", who(self), inner.name)
    end
    local out = { B, T }
    for i = 2, y.ndim do out[#out + 1] = y.shape[i] end
    return core.reshape(y, out)
  end

  -- ---- Lambda --------------------------------------------------------------

  local Lambda = layer_class("Lambda")
  Lambda.takes_list = true

  -- nn.Lambda(fn, {name=, output_shape=, mask=, arguments=}): fn(x) of a
  -- tensor, or of the table of tensors the layer is called on, made of
  -- tensor ops (so it works on symbolic tensors and has gradients). As in
  -- Keras, a parameter of fn named mask gets the input's mask, one named
  -- training the training flag, and the others the entries of arguments
  -- of the same name: nn.Lambda(function(x, scale) return x * scale end,
  -- {arguments = {scale = 2}}). mask= is nil (no mask out), a tensor, or
  -- a function(inputs, mask) returning the output's mask.
  function nn.Lambda(fn, opts)
    if type(fn) == "table" and not is_tensor(fn) and opts == nil
       and getmetatable(fn) == nil then
      opts = Layer.clone_options(fn)
      fn = opts["function"] or opts[1]
      opts["function"], opts[1] = nil, nil
    end
    opts = util.check_options("Lambda", opts, { name = true, output_shape = true,
                                                mask = true, arguments = true })
    local callable = type(fn) == "function" or
      (type(fn) == "table" and getmetatable(fn) and getmetatable(fn).__call)
    if not callable then
      util.error("Lambda: expected a function, got %s", type(fn))
    end
    local args = opts.arguments
    if args ~= nil and (type(args) ~= "table" or is_tensor(args)) then
      util.error("Lambda: arguments must be a table of named values, got %s", type(args))
    end
    local os = opts.output_shape
    if os ~= nil and type(os) ~= "function" and (type(os) ~= "table" or is_tensor(os)) then
      util.error("Lambda: output_shape must be a shape table (without the batch axis) or a function, got %s",
                 type(os))
    end
    local self = new(Lambda, opts, "lambda")
    self.fn = fn
    self.arguments = args or {}
    self.output_shape = os
    self.mask = opts.mask
    self.supports_masking = opts.mask ~= nil
    -- fn's parameters by name, as Keras inspects the Python function
    self.params = {}
    if type(fn) == "function" then
      local info = debug.getinfo(fn, "u")
      for i = 2, info.nparams do self.params[i - 1] = debug.getlocal(fn, i) end
      if not info.isvararg then
        local known = {}
        for _, p in ipairs(self.params) do known[p] = true end
        for k in pairs(self.arguments) do
          if not known[k] then
            util.error("Lambda '%s': arguments has '%s' but the function has no parameter of that name",
                       self.name, tostring(k))
          end
        end
      end
    end
    return self
  end

  function Lambda:call(x, mask, opts)
    local args = { x }
    for i, p in ipairs(self.params) do
      if p == "mask" then
        args[i + 1] = mask
      elseif p == "training" then
        args[i + 1] = opts.training
      else
        args[i + 1] = self.arguments[p]
      end
    end
    local y = self.fn(table.unpack(args, 1, #self.params + 1))
    local ys = is_tensor(y) and { y } or y
    if type(ys) ~= "table" or #ys == 0 then
      util.error("%s: the function returned %s, expected a tensor", who(self),
                 type(y))
    end
    for _, v in ipairs(ys) do
      if not is_tensor(v) then
        util.error("%s: the function returned %s, expected a tensor", who(self),
                   type(v))
      end
    end
    if self.output_shape ~= nil and is_tensor(y) and y.symbolic then
      y = self:declared_shape(x, y)
    end
    return y
  end

  -- Keras's output_shape=: the declared shape (batch axis added) replaces
  -- the traced one where that is None; a known size must agree
  function Lambda:declared_shape(x, y)
    local want
    if type(self.output_shape) == "function" then
      want = self.output_shape(is_tensor(x) and x.shape or x[1].shape)
    else
      local first = is_tensor(x) and x or x[1]
      want = { first.shape[1] }
      for i = 1, #self.output_shape do want[i + 1] = self.output_shape[i] end
    end
    local ok = #want == y.ndim
    local out = {}
    for i = 1, y.ndim do
      local a, b = y.shape[i], want[i]
      if b == nil then ok = false; break end
      if a ~= None and b ~= None and a ~= b then ok = false end
      out[i] = a ~= None and a or b
    end
    if not ok then
      util.error("%s: output_shape %s does not match the shape the function returns, %s",
                 who(self), tup(want), tostring(y.shape))
    end
    return core.symbolic(out)
  end

  function Lambda:compute_mask(x, mask)
    if type(self.mask) == "function" then return self.mask(x, mask) end
    return self.mask
  end
end
