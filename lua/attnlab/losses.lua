-- attnlab.losses: Keras 3's losses (nn.losses). The math, one fused op
-- with its gradient per loss, is in C (src/train/losses.c); this file has
-- the loss objects, their options and Keras's reductions.
--
--   local loss = nn.losses.SparseCategoricalCrossentropy{from_logits=true}
--   local l = loss(y_true, y_pred)       -- a 0-d tensor; l:backward()
--   nn.losses.get("mse")                 -- what compile{loss="mse"} uses
--   nn.losses.mean_squared_error(y, p)   -- per-sample losses, as in Keras
--
-- A loss object's call follows Keras's Loss.__call__: the per-sample
-- losses (one per entry of y_pred's shape without its last axis) are
-- weighted by sample_weight and by the Keras mask of y_pred, if any, then
-- reduced: "sum_over_batch_size" (the default, also "mean") divides their
-- sum by their number, "sum" does not, "mean_with_sample_weight" divides by
-- the sum of the weights, "none" keeps them.
local core = require "attnlab.core"
local util = require "attnlab.util"

local train = core.train
local losses = {}
-- The option names each constructor and function accepts (the tables its
-- check_options uses), for help, completion and tests/lua/test_docs.lua.
losses.option_names = {}

local function is_tensor(x)
  return type(x) == "userdata" and getmetatable(x) == debug.getregistry()["attnlab.tensor"]
end

-- Labels may be given as nested Lua tables, as Keras accepts NumPy arrays.
local function as_tensor(x, who, what)
  if is_tensor(x) then return x end
  if type(x) == "table" or type(x) == "number" then return core.from(x) end
  util.error("%s: %s must be a tensor, got %s", who, what, type(x))
end

-- Keras's squeeze_or_expand_to_same_rank(x1, x2).
local function squeeze_or_expand(x1, x2)
  local r1, r2 = x1.ndim, x2.ndim
  if r1 == r2 + 1 and x1.shape[r1] == 1 then
    if r2 == 1 then x2 = core.expand_dims(x2, -1) else x1 = core.squeeze(x1, -1) end
  end
  if r2 == r1 + 1 and x2.shape[r2] == 1 then
    if r1 == 1 then x1 = core.expand_dims(x1, -1) else x2 = core.squeeze(x2, -1) end
  end
  return x1, x2
end

local reductions = { sum_over_batch_size = true, mean = true, sum = true,
                     mean_with_sample_weight = true, none = true }

-- Keras's reduce_weighted_values: values are the per-sample losses; the
-- mask (of y_pred) becomes a sample weight normalised so that the mean is
-- over the unmasked entries.
local function reduce_weighted(values, sample_weight, mask, reduction)
  if mask ~= nil then
    local m = mask
    if reduction == "mean" or reduction == "sum_over_batch_size" then
      local valid = core.sum(m):item()
      m = m * (valid ~= 0 and m:numel() / valid or 0)
    end
    if sample_weight ~= nil then
      local a, b = squeeze_or_expand(m, sample_weight)
      sample_weight = a * b
    else
      sample_weight = m
    end
  end
  if sample_weight ~= nil then
    local v, w = squeeze_or_expand(values, sample_weight)
    values = v * w
  end
  if reduction == "none" or values.ndim == 0 then return values end
  local total = core.sum(values)
  if reduction == "sum" then return total end
  if reduction == "mean_with_sample_weight" and sample_weight ~= nil then
    local s = core.sum(sample_weight):item()
    return s ~= 0 and total / s or total * 0
  end
  local n = values:numel()
  return n > 0 and total / n or total * 0
end

-- ---- the loss objects -----------------------------------------------------

local Loss = {}
Loss.__index = Loss
losses.Loss = Loss

local function class(name)
  local cls = { class_name = name }
  cls.__index = cls
  cls.__call = function(self, ...) return self:call(...) end
  cls.__tostring = function(self)
    return string.format("<%s name=%s%s>", self.class_name, self.name,
                         self.describe and (", " .. self:describe()) or "")
  end
  return setmetatable(cls, { __index = Loss })
end

-- loss(y_true, y_pred [, sample_weight]) -> a 0-d tensor (reduction
-- "none": the per-sample losses).
function Loss:call(y_true, y_pred, sample_weight)
  local who = self.name
  y_pred = as_tensor(y_pred, who, "y_pred")
  y_true = as_tensor(y_true, who, "y_true")
  if sample_weight ~= nil then sample_weight = as_tensor(sample_weight, who, "sample_weight") end
  local masks = debug.getregistry()["attnlab.masks"]
  local mask = masks and masks[y_pred]
  if self.check then self:check(y_true, y_pred) end
  if sample_weight == nil and mask == nil and self.kernel then
    local red = self.reduction
    if red == "mean_with_sample_weight" then red = "sum_over_batch_size" end
    return train.loss(self.kernel, y_true, y_pred, self.from_logits,
                      self.label_smoothing, red)
  end
  return reduce_weighted(self:per_sample(y_true, y_pred), sample_weight,
                         mask, self.reduction)
end

-- The per-sample losses, before any reduction.
function Loss:per_sample(y_true, y_pred)
  if self.kernel then
    return train.loss(self.kernel, y_true, y_pred, self.from_logits,
                      self.label_smoothing, "none")
  end
  local t, p = squeeze_or_expand(y_true, y_pred)
  local v = self.fn(t, p)
  if type(v) == "number" then v = core.from(v) end
  if not is_tensor(v) then
    util.error("%s: the loss function must return a tensor, got %s", self.name, type(v))
  end
  return v
end

function Loss:get_config()
  local config = { name = self.name, reduction = self.reduction }
  for _, k in ipairs(self.config_keys or {}) do config[k] = self[k] end
  return config
end

local function check_bool(who, opts, key)
  local v = opts[key]
  if v ~= nil and type(v) ~= "boolean" then
    util.error("%s: %s must be true or false, got %s", who, key, util.show(v))
  end
  return v == true
end

-- The options every loss has: reduction, name; axis may only be -1.
local function base(cls, who, opts, default_name)
  local self = setmetatable({}, cls)
  local red = opts.reduction
  if red == nil then red = "sum_over_batch_size" end
  if not reductions[red] then
    util.error("%s: invalid reduction %s (expected one of: sum_over_batch_size, sum, mean, mean_with_sample_weight, none)",
               who, util.show(red))
  end
  self.reduction = red
  if opts.name ~= nil and type(opts.name) ~= "string" then
    util.error("%s: name must be a string, got %s", who, util.show(opts.name))
  end
  self.name = opts.name or default_name
  if opts.axis ~= nil and opts.axis ~= -1 then
    util.error("%s: only axis=-1 is supported, got %s", who, util.show(opts.axis))
  end
  return self
end

local function smoothing(who, opts)
  local ls = opts.label_smoothing
  if ls == nil then return 0.0 end
  if type(ls) ~= "number" or not (ls >= 0 and ls <= 1) then
    util.error("%s: label_smoothing must be a number in [0, 1], got %s", who, util.show(ls))
  end
  return ls
end

-- One Keras class over one C kernel: class name, kernel (Keras's function
-- name), the options besides reduction, name and axis.
local function define(class_name, kernel, known)
  local cls = class(class_name)
  cls.config_keys = util.sorted_keys(known)
  local ctor_known = { reduction = true, name = true, axis = true }
  for k in pairs(known) do ctor_known[k] = true end
  losses.option_names[class_name] = ctor_known
  losses[class_name] = function(opts)
    opts = util.check_options(class_name, opts, ctor_known)
    local self = base(cls, class_name, opts, kernel)
    self.kernel = kernel
    self.from_logits = known.from_logits and check_bool(class_name, opts, "from_logits") or false
    self.label_smoothing = known.label_smoothing and smoothing(class_name, opts) or 0.0
    return self
  end
  -- Keras's function form: the per-sample losses (no reduction)
  local fn_known = { axis = true }
  for k in pairs(known) do fn_known[k] = true end
  losses.option_names[kernel] = fn_known
  losses[kernel] = function(y_true, y_pred, opts)
    opts = util.check_options(kernel, opts, fn_known)
    local obj = losses[class_name](opts)
    obj.name = kernel
    return obj:per_sample(as_tensor(y_true, kernel, "y_true"),
                          as_tensor(y_pred, kernel, "y_pred"))
  end
  return cls
end

local function describe_logits(self)
  return "from_logits=" .. tostring(self.from_logits)
end
local function describe_smoothing(self)
  return string.format("from_logits=%s, label_smoothing=%g", tostring(self.from_logits),
                       self.label_smoothing)
end

local CategoricalCrossentropy = define("CategoricalCrossentropy",
  "categorical_crossentropy", { from_logits = true, label_smoothing = true })
CategoricalCrossentropy.describe = describe_smoothing
define("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
       { from_logits = true }).describe = describe_logits
define("BinaryCrossentropy", "binary_crossentropy",
       { from_logits = true, label_smoothing = true }).describe = describe_smoothing
define("MeanSquaredError", "mean_squared_error", {})
define("MeanAbsoluteError", "mean_absolute_error", {})

-- Keras warns when categorical crossentropy sees a single class: the loss
-- of a softmax over one class is always 0.
function CategoricalCrossentropy:check(_, y_pred)
  local shape = y_pred.shape
  if not self.warned and #shape > 0 and shape[#shape] == 1 then
    self.warned = true
    io.stderr:write(string.format(
      "warning: %s: expected predictions of shape (batch_size, num_classes) with num_classes > 1, got %s; consider binary_crossentropy if you only have 2 classes\n",
      self.name, tostring(shape)))
  end
end

-- A Lua function(y_true, y_pred) -> per-sample losses (or a scalar), as
-- Keras's LossFunctionWrapper.
local Wrapper = class("LossFunctionWrapper")
local wrapper_opts = { reduction = true, name = true }
losses.option_names.LossFunctionWrapper = wrapper_opts

function losses.LossFunctionWrapper(fn, opts)
  if type(fn) ~= "function" and not (type(fn) == "table" and getmetatable(fn)
                                     and getmetatable(fn).__call) then
    util.error("LossFunctionWrapper: expected a function(y_true, y_pred), got %s", type(fn))
  end
  opts = util.check_options("LossFunctionWrapper", opts, wrapper_opts)
  local self = base(Wrapper, "LossFunctionWrapper", opts, "loss")
  self.fn = fn
  return self
end

-- ---- get ------------------------------------------------------------------

local aliases = {
  mse = "mean_squared_error", MSE = "mean_squared_error",
  mae = "mean_absolute_error", MAE = "mean_absolute_error",
  bce = "binary_crossentropy", BCE = "binary_crossentropy",
}
local by_function = {
  categorical_crossentropy = "CategoricalCrossentropy",
  sparse_categorical_crossentropy = "SparseCategoricalCrossentropy",
  binary_crossentropy = "BinaryCrossentropy",
  mean_squared_error = "MeanSquaredError",
  mean_absolute_error = "MeanAbsoluteError",
}
local not_here = {
  "KLDivergence", "kl_divergence", "kld", "KLD", "Poisson", "poisson",
  "BinaryFocalCrossentropy", "binary_focal_crossentropy",
  "CategoricalFocalCrossentropy", "categorical_focal_crossentropy",
  "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE",
  "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE",
  "CosineSimilarity", "cosine_similarity", "LogCosh", "log_cosh", "Huber", "huber",
  "Hinge", "hinge", "SquaredHinge", "squared_hinge", "CategoricalHinge",
  "categorical_hinge", "Dice", "dice", "IoU", "iou", "Tversky", "tversky",
  "Circle", "circle", "CTC", "ctc",
}
for _, n in ipairs(not_here) do not_here[n] = true end

local function known_names()
  local names = {}
  for k, v in pairs(by_function) do names[#names + 1] = k; names[#names + 1] = v end
  for k in pairs(aliases) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

function losses.is_loss(obj)
  if type(obj) ~= "table" then return false end
  local mt = getmetatable(obj)
  while mt do
    if mt == Loss then return true end
    local up = getmetatable(mt)
    mt = up and up.__index
  end
  return false
end

-- losses.get(id): a loss object for a Keras name or alias ("mse"), a class
-- name ("CategoricalCrossentropy"), a config {class_name=, config=}, a loss
-- object (returned as is) or a function(y_true, y_pred) (wrapped, so its
-- per-sample losses are reduced as Keras's compile does).
function losses.get(id)
  if type(id) == "string" then
    local fname = aliases[id] or id
    if by_function[fname] then
      local obj = losses[by_function[fname]]()
      obj.name = fname
      return obj
    end
    if by_function[id] == nil and type(losses[id]) == "function" and id:match("^%u") and id ~= "LossFunctionWrapper" then
      return losses[id]()
    end
    if not_here[id] then
      util.error("losses.get: '%s' is a Keras loss that attnlab does not have (available: %s)",
                 id, known_names())
    end
    util.error("losses.get: could not interpret loss identifier '%s' (known: %s)", id, known_names())
  end
  if losses.is_loss(id) then return id end
  if type(id) == "table" and id.class_name ~= nil and getmetatable(id) == nil then
    local ctor = losses[id.class_name]
    if type(id.class_name) ~= "string" or not id.class_name:match("^%u") or type(ctor) ~= "function"
       or id.class_name == "LossFunctionWrapper" then
      util.error("losses.get: unknown loss class %s (known: %s)", util.show(id.class_name), known_names())
    end
    return ctor(id.config)
  end
  if type(id) == "function" then
    for k, cls in pairs(by_function) do
      if losses[k] == id then return losses.get(k) end -- nn.losses.mse etc.
      if losses[cls] == id then return id() end       -- a class: Keras makes one
    end
  end
  if type(id) == "function" or (type(id) == "table" and getmetatable(id) and getmetatable(id).__call) then
    return losses.LossFunctionWrapper(id)
  end
  util.error("losses.get: could not interpret loss identifier %s; expected a name such as \"mse\", a loss object or a function(y_true, y_pred)",
             util.show(id))
end

return losses
