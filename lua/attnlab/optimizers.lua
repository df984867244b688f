-- attnlab.optimizers: Keras 3's optimizers (nn.optimizers). The update
-- rule of one weight is one C loop (src/train/optimizers.c); this file has
-- the optimizer objects: options and Keras's defaults, the state tensors of
-- each weight, the iteration count, and gradient clipping across weights.
--
--   local opt = nn.optimizers.Adam{learning_rate=1e-3}
--   loss:backward()
--   opt:apply(weights)     -- each weight's .grad (nil: skipped); in place
--
-- One apply(), as Keras's: clip the gradients (clipnorm per weight,
-- global_clipnorm over all, or clipvalue), decay the weights
-- (w -= w * weight_decay * learning_rate), run the update rule, then
-- opt.iterations += 1. The gradients are left as they are: zero them
-- (w:zero_grad()) before the next backward, or they add up.
local core = require "attnlab.core"
local util = require "attnlab.util"

local train = core.train
local optimizers = {}
-- The option names each constructor accepts (what new() checks against),
-- for help, completion and tests/lua/test_docs.lua.
optimizers.option_names = {}

local function is_tensor(x)
  return type(x) == "userdata" and getmetatable(x) == debug.getregistry()["attnlab.tensor"]
end

local Optimizer = {}
optimizers.Optimizer = Optimizer

-- The options of every optimizer (Keras's BaseOptimizer), and those Keras
-- has that attnlab does not.
local base_options = { learning_rate = true, weight_decay = true, clipnorm = true,
                       clipvalue = true, global_clipnorm = true, name = true }
local unsupported = { use_ema = true, ema_momentum = true, ema_overwrite_frequency = true,
                      loss_scale_factor = true, gradient_accumulation_steps = true }

local function class(name)
  local cls = { class_name = name }
  cls.__index = function(self, k)
    if k == "learning_rate" then return self:current_learning_rate() end
    local v = cls[k]
    if v == nil then v = Optimizer[k] end
    return v
  end
  cls.__newindex = function(self, k, v)
    if k == "learning_rate" then
      self:set_learning_rate(v)
    else
      rawset(self, k, v)
    end
  end
  cls.__tostring = function(self) return self:describe() end
  return cls
end

local function check_lr(who, v)
  if type(v) == "function" then return v end
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
    util.error("%s: learning_rate must be a number or a function(iterations) returning one, got %s",
               who, util.show(v))
  end
  return v
end

function Optimizer:set_learning_rate(v)
  rawset(self, "_learning_rate", check_lr(self.class_name, v))
end

-- The learning rate of the next step: a number, or what the function
-- given as learning_rate returns for opt.iterations (a schedule).
function Optimizer:current_learning_rate()
  local lr = rawget(self, "_learning_rate")
  if type(lr) == "function" then
    local v = lr(rawget(self, "iterations"))
    if type(v) == "userdata" and is_tensor(v) then v = v:item() end
    if type(v) ~= "number" then
      util.error("%s: the learning_rate function returned %s, not a number",
                 self.class_name, util.show(v))
    end
    return v
  end
  return lr
end

local function show(v)
  if type(v) == "function" then return "function" end
  if type(v) == "number" then return string.format("%g", v) end
  return tostring(v)
end

local function check_number(who, opts, key, dflt, lo, hi)
  local v = opts[key]
  if v == nil then return dflt end
  if type(v) ~= "number" or v ~= v or (lo and v < lo) or (hi and v > hi) then
    if lo and hi then
      util.error("%s: %s must be a number between [%g, %g], got %s", who, key, lo, hi, util.show(v))
    end
    util.error("%s: %s must be a number, got %s", who, key, util.show(v))
  end
  return v
end

-- The ranges Keras's formulas need: a beta of 1 never forgets, a clip of
-- 0 zeroes every step, a negative epsilon or decay has no meaning. (An
-- epsilon of 0 is allowed, as in Keras, for comparisons with textbook
-- formulas.)
local ranges = {
  beta_1 = { 0, 1, "in [0, 1)", true }, beta_2 = { 0, 1, "in [0, 1)", true },
  rho = { 0, 1, "in [0, 1)", true }, momentum = { 0, 1, "in [0, 1]" },
  epsilon = { 0, nil, ">= 0" }, clipnorm = { 0, nil, "> 0", false, true },
  clipvalue = { 0, nil, "> 0", false, true }, global_clipnorm = { 0, nil, "> 0", false, true },
  weight_decay = { 0, nil, ">= 0" }, initial_accumulator_value = { 0, nil, ">= 0" },
}

local function check_range(who, key, v)
  local r = ranges[key]
  if v == nil or not r then return v end
  local lo, hi, text, open_hi, open_lo = r[1], r[2], r[3], r[4], r[5]
  local bad = v < lo or (open_lo and v == lo) or (hi and (v > hi or (open_hi and v == hi)))
  if bad then util.error("%s: %s must be %s, got %s", who, key, text, util.show(v)) end
  return v
end

local function check_bool(who, opts, key)
  local v = opts[key]
  if v ~= nil and type(v) ~= "boolean" then
    util.error("%s: %s must be true or false, got %s", who, key, util.show(v))
  end
  return v == true
end

-- A new optimizer of class cls from opts: `own` lists the class's own
-- options with their defaults (booleans and numbers); kind is the C rule.
local function new(cls, kind, opts, own, defaults)
  local who = cls.class_name
  if opts ~= nil and type(opts) ~= "table" then
    util.error("%s: options must be a table, got %s", who, type(opts))
  end
  opts = opts or {}
  for k in pairs(opts) do
    if unsupported[k] then
      util.error("%s: option '%s' is not supported by attnlab", who, tostring(k))
    end
  end
  if opts.decay ~= nil then
    io.stderr:write("warning: " .. who .. ": argument `decay` is no longer supported and will be ignored\n")
    local copy = {}
    for k, v in pairs(opts) do if k ~= "decay" then copy[k] = v end end
    opts = copy
  end
  local known = {}
  for k in pairs(base_options) do known[k] = true end
  for k in pairs(own) do known[k] = true end
  util.check_options(who, opts, known)
  local self = setmetatable({ iterations = 0 }, cls)
  rawset(self, "_learning_rate", check_lr(who, opts.learning_rate == nil and defaults.learning_rate
                                                 or opts.learning_rate))
  if opts.name ~= nil and type(opts.name) ~= "string" then
    util.error("%s: name must be a string, got %s", who, util.show(opts.name))
  end
  self.name = opts.name or defaults.name
  self.config = { kind = kind }
  for k, dflt in pairs(own) do
    if type(dflt) == "boolean" then
      self[k] = check_bool(who, opts, k)
    else
      self[k] = check_range(who, k, check_number(who, opts, k, dflt))
    end
    self.config[k] = self[k]
  end
  self.weight_decay = check_range(who, "weight_decay",
                                  check_number(who, opts, "weight_decay", defaults.weight_decay))
  local nclip = 0
  for _, k in ipairs { "clipnorm", "clipvalue", "global_clipnorm" } do
    self[k] = check_range(who, k, check_number(who, opts, k, nil))
    if self[k] ~= nil then nclip = nclip + 1 end
  end
  if nclip > 1 then
    local set = {}
    for _, k in ipairs { "clipnorm", "clipvalue", "global_clipnorm" } do
      if self[k] ~= nil then set[#set + 1] = k .. "=" .. show(self[k]) end
    end
    util.error("%s: only one of clipnorm, clipvalue and global_clipnorm can be set, got %s",
               who, table.concat(set, ", "))
  end
  self.state = setmetatable({}, { __mode = "k" }) -- weight -> {slot tensors}
  self.slots = train.state_names(self.config)
  return self
end

-- The state tensors of weight w (created at its first step), by Keras's
-- names: {momentum=, velocity=, ...}.
function Optimizer:state_of(w)
  local st = self.state[w]
  if not st then return nil end
  local out = {}
  for i, name in ipairs(self.slots) do
    if name then out[name] = st[i] end
  end
  return out
end

function Optimizer:init_slot()
  return 0.0
end

local function state_for(self, w)
  local st = self.state[w]
  if st then return st end
  st = {}
  for i, name in ipairs(self.slots) do
    if name then st[i] = core.full(w.shape, self:init_slot(name)) end
  end
  self.state[w] = st
  return st
end

-- opt:apply(weights): one step for every weight whose .grad is not nil.
-- opt:apply(grads, weights): Keras's form, with the gradients given.
function Optimizer:apply(a, b)
  local who = self.class_name
  if type(a) ~= "table" or is_tensor(a) then
    util.error("%s: apply expects a list of weights, got %s", who, type(a))
  end
  local grads, vars = {}, {}
  if b ~= nil then
    if type(b) ~= "table" or is_tensor(b) then
      util.error("%s: apply(grads, weights) expects a list of weights, got %s", who, type(b))
    end
    for i = 1, #b do grads[i], vars[i] = a[i], b[i] end
  else
    for i, w in ipairs(a) do vars[i] = w end
  end
  if #vars == 0 then return end
  local pairs_g, pairs_w = {}, {}
  for i, w in ipairs(vars) do
    if not is_tensor(w) then
      util.error("%s: weight %d is not a tensor (%s)", who, i, type(w))
    end
    local g
    if b ~= nil then g = grads[i] else g = w.grad end
    if g ~= nil then
      if not is_tensor(g) then
        util.error("%s: the gradient of weight %d is not a tensor (%s)", who, i, type(g))
      end
      pairs_g[#pairs_g + 1], pairs_w[#pairs_w + 1] = g, w
    end
  end
  if #pairs_g == 0 then
    util.error("%s: no gradients provided for any variable (call loss:backward() before apply)", who)
  end
  local cfg = self.config
  cfg.learning_rate = self:current_learning_rate()
  cfg.weight_decay = self.weight_decay or 0
  cfg.clipvalue = (self.clipvalue and self.clipvalue > 0) and self.clipvalue or 0
  cfg.grad_scale = 1
  local clipnorm = self.clipnorm and self.clipnorm > 0 and self.clipnorm
  if not clipnorm and self.global_clipnorm and self.global_clipnorm > 0 then
    local total = 0
    for _, g in ipairs(pairs_g) do total = total + train.sum_squares(g) end
    cfg.grad_scale = train.global_clipnorm_scale(total, self.global_clipnorm)
  end
  local iterations = self.iterations
  for i, w in ipairs(pairs_w) do
    local g = pairs_g[i]
    if clipnorm then cfg.grad_scale = train.clipnorm_scale(train.sum_squares(g), clipnorm) end
    local st = state_for(self, w)
    train.step(cfg, iterations, w, g, st[1], st[2], st[3], who)
  end
  self.iterations = iterations + 1
end

-- Keras's apply_gradients({{grad, weight}, ...}).
function Optimizer:apply_gradients(grads_and_vars)
  local grads, vars = {}, {}
  for i, gv in ipairs(grads_and_vars) do grads[i], vars[i] = gv[1], gv[2] end
  self:apply(grads, vars)
  return self.iterations
end

function Optimizer:get_config()
  local lr = rawget(self, "_learning_rate")
  local config = { name = self.name, learning_rate = lr, weight_decay = self.weight_decay,
                   clipnorm = self.clipnorm, clipvalue = self.clipvalue,
                   global_clipnorm = self.global_clipnorm }
  for _, k in ipairs(self.own_keys) do config[k] = self[k] end
  return config
end

function Optimizer:describe()
  local parts = { "name=" .. self.name, "learning_rate=" .. show(rawget(self, "_learning_rate")) }
  for _, k in ipairs(self.own_keys) do parts[#parts + 1] = k .. "=" .. show(self[k]) end
  for _, k in ipairs { "weight_decay", "clipnorm", "clipvalue", "global_clipnorm" } do
    if self[k] ~= nil then parts[#parts + 1] = k .. "=" .. show(self[k]) end
  end
  parts[#parts + 1] = "iterations=" .. self.iterations
  return string.format("<%s %s>", self.class_name, table.concat(parts, ", "))
end

-- ---- the classes ----------------------------------------------------------

-- define(class, kind, defaults, own options in Keras's order with defaults)
local function define(class_name, kind, defaults, own_list)
  local cls = class(class_name)
  local own, keys = {}, {}
  for _, kv in ipairs(own_list) do
    own[kv[1]] = kv[2]
    keys[#keys + 1] = kv[1]
  end
  cls.own_keys = keys
  local known = {}
  for k in pairs(base_options) do known[k] = true end
  for k in pairs(own) do known[k] = true end
  optimizers.option_names[class_name] = known
  optimizers[class_name] = function(opts)
    return new(cls, kind, opts, own, defaults)
  end
  return cls
end

define("SGD", "sgd", { learning_rate = 0.01, name = "SGD" },
                   { { "momentum", 0.0 }, { "nesterov", false } })
define("RMSprop", "rmsprop", { learning_rate = 0.001, name = "rmsprop" },
       { { "rho", 0.9 }, { "momentum", 0.0 }, { "epsilon", 1e-7 }, { "centered", false } })
define("Adam", "adam", { learning_rate = 0.001, name = "adam" },
       { { "beta_1", 0.9 }, { "beta_2", 0.999 }, { "epsilon", 1e-7 }, { "amsgrad", false } })
define("AdamW", "adam", { learning_rate = 0.001, name = "adamw", weight_decay = 0.004 },
       { { "beta_1", 0.9 }, { "beta_2", 0.999 }, { "epsilon", 1e-7 }, { "amsgrad", false } })
local Adagrad = define("Adagrad", "adagrad", { learning_rate = 0.001, name = "adagrad" },
                       { { "initial_accumulator_value", 0.1 }, { "epsilon", 1e-7 } })

-- Keras: "`momentum` must be a float between [0, 1]."
local sgd_new = optimizers.SGD
optimizers.SGD = function(opts)
  if type(opts) == "table" then check_number("SGD", opts, "momentum", 0.0, 0, 1) end
  return sgd_new(opts)
end

function Adagrad:init_slot()
  return self.initial_accumulator_value
end

-- ---- get ------------------------------------------------------------------

local by_lower = {}
for _, name in ipairs { "SGD", "RMSprop", "Adam", "AdamW", "Adagrad" } do
  by_lower[name:lower()] = name
end
local not_here = { adadelta = true, adamax = true, adafactor = true, nadam = true,
                   ftrl = true, lion = true, lamb = true, muon = true,
                   lossscaleoptimizer = true }

function optimizers.is_optimizer(obj)
  if type(obj) ~= "table" then return false end
  local mt = getmetatable(obj)
  return mt ~= nil and type(mt.class_name) == "string" and optimizers[mt.class_name] ~= nil
end

-- optimizers.get(id): a new optimizer with Keras's defaults for a name
-- ("adam", any case), a config {class_name=, config=}, or an optimizer
-- object (returned as is).
function optimizers.get(id)
  if optimizers.is_optimizer(id) then return id end
  if type(id) == "string" then
    local name = by_lower[id:lower()]
    if name then return optimizers[name]() end
    if not_here[id:lower()] then
      util.error("optimizers.get: '%s' is a Keras optimizer that attnlab does not have (available: sgd, rmsprop, adam, adamw, adagrad)", id)
    end
    util.error("optimizers.get: could not interpret optimizer identifier '%s' (known: sgd, rmsprop, adam, adamw, adagrad)", id)
  end
  if type(id) == "table" and getmetatable(id) == nil and type(id.class_name) == "string" then
    local name = by_lower[id.class_name:lower()]
    if not name then
      util.error("optimizers.get: unknown optimizer class '%s' (known: SGD, RMSprop, Adam, AdamW, Adagrad)",
                 id.class_name)
    end
    return optimizers[name](id.config)
  end
  util.error("optimizers.get: could not interpret optimizer identifier %s; expected a name such as \"adam\" or an optimizer object",
             util.show(id))
end

return optimizers
