-- attnlab.repl: the Lua side of the prompt (src/repl/repl.c reads the
-- lines): completion candidates, pretty printing, short tracebacks, the `:`
-- commands, help() and lessons.
--
-- Completion only reads: rawget, next and getmetatable, never a user
-- function or an __index function.
local C = require "attnlab.repl_c"
local nn = require "attnlab.layers"
local tensor = require "attnlab.tensor"
local docs = require "attnlab.docs"
local i18n = require "attnlab.i18n"
local lesson_lib = require "attnlab.lesson"
local hints = require "attnlab.hints"

local R = {
  color = false,          -- set by the C side: a terminal, no NO_COLOR
  shapes = false,         -- :shapes on
  time = false,           -- :time on
  time_threshold = 0.5,   -- seconds
  commands = {},          -- the session's successful chunks (for :save)
  out = io.write,         -- where the prompt's own output goes
}

local function say(...)
  R.out(table.concat({ ... }))
  R.out("\n")
end

local function paint(code, s)
  if R.color then return "\27[" .. code .. "m" .. s .. "\27[0m" end
  return s
end

local function is_tensor(v) return nn.is_tensor(v) end

-- a layer: a table whose metatable is one of the layer classes
local function layer_class(v)
  if type(v) ~= "table" then return nil end
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  local name = rawget(mt, "class_name")
  if type(name) == "string" and rawget(nn.classes, name) == mt then return name end
  return nil
end

local function thousands(n)
  local s = tostring(math.tointeger(n) or n)
  local sign, int = s:match("^(%-?)(%d+)$")
  if not int then return s end
  int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return sign .. int
end
R.thousands = thousands

-- ---- :shapes and the shapes layers were last called with -----------------

local last_shape = setmetatable({}, { __mode = "k" })
local depth = 0

local function shape_text(v)
  if is_tensor(v) then return tostring(v.shape) end
  if type(v) == "table" and not layer_class(v) then
    local parts = {}
    for i = 1, math.min(#v, 8) do parts[i] = shape_text(v[i]) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return type(v)
end

-- While fit, evaluate or predict runs batch after batch, the layers whose
-- call :shapes printed already (the first batch's); nil outside them.
local printed_in_run = nil

local function traced(orig)
  return function(self, ...)
    depth = depth + 1
    local res = table.pack(orig(self, ...))
    depth = depth - 1
    local first = res[1]
    if is_tensor(first) and (first.symbolic or last_shape[self] == nil) then
      last_shape[self] = tostring(first.shape)
    end
    local again = printed_in_run and printed_in_run[self]
    if printed_in_run then printed_in_run[self] = true end
    if R.shapes and not again then
      local outs = {}
      for i = 1, res.n do outs[i] = shape_text(res[i]) end
      say(string.rep("  ", depth), paint("36", tostring(self.name)), " (",
          tostring(self.class_name), "): ", shape_text((...)), " -> ",
          paint("32", table.concat(outs, ", ")))
    end
    return table.unpack(res, 1, res.n)
  end
end

-- fit, evaluate and predict with :shapes printing each layer once, for
-- the first batch (a to-be-closed variable ends that on errors too).
local function once_per_run(orig)
  return function(self, ...)
    local outer = printed_in_run
    printed_in_run = setmetatable({}, { __mode = "k" })
    local _ <close> = setmetatable({}, { __close = function() printed_in_run = outer end })
    return orig(self, ...)
  end
end

-- Wraps every layer class's __call (once), so the prompt knows each
-- layer's output shape and :shapes can trace calls. Scripts never load this.
local wrapped = {}
local wrapped_runs = {} -- class -> { fit = the original, ... }
-- model:summary() prints its table and returns the text; at the prompt
-- that text would print twice, so there it returns nothing once printed.
local wrapped_summary = {}
function R.install_hooks()
  for _, cls in pairs(nn.classes) do
    local orig = rawget(cls, "__call")
    if type(orig) == "function" and not wrapped[cls] then
      wrapped[cls] = orig
      cls.__call = traced(orig)
    end
    for _, method in ipairs { "fit", "evaluate", "predict" } do
      local run = rawget(cls, method)
      wrapped_runs[cls] = wrapped_runs[cls] or {}
      if type(run) == "function" and not wrapped_runs[cls][method] then
        wrapped_runs[cls][method] = run
        cls[method] = once_per_run(run)
      end
    end
    local summary = rawget(cls, "summary")
    if type(summary) == "function" and not wrapped_summary[cls] then
      wrapped_summary[cls] = summary
      cls.summary = function(self, opts)
        local text = summary(self, opts)
        if type(opts) == "table" and opts.print_fn == false then return text end
      end
    end
  end
end

function R.remove_hooks()
  for cls, orig in pairs(wrapped) do cls.__call = orig end
  for cls, orig in pairs(wrapped_summary) do cls.summary = orig end
  for cls, runs in pairs(wrapped_runs) do
    for method, orig in pairs(runs) do cls[method] = orig end
  end
  wrapped, wrapped_summary, wrapped_runs = {}, {}, {}
end

-- ---- pretty printing ---------------------------------------------------------

local function layer_line(l)
  local parts = {}
  local inner = rawget(l, "forward_layer")
  if type(inner) == "table" then
    parts[#parts + 1] = tostring(inner.class_name)
    if math.type(inner.units) == "integer" then parts[#parts + 1] = inner.units .. " units" end
    parts[#parts + 1] = tostring(rawget(l, "merge_mode") or "None")
  elseif math.type(rawget(l, "units")) == "integer" then
    parts[#parts + 1] = l.units .. " units"
  end
  if #parts > 0 then
    for _, flag in ipairs { "return_sequences", "return_state", "go_backwards" } do
      if rawget(l, flag) == true then parts[#parts + 1] = flag end
    end
    local act = rawget(l, "activation_name")
    if type(act) == "string" and act ~= "linear" then parts[#parts + 1] = act end
  elseif type(l.describe) == "function" then
    local ok, d = pcall(l.describe, l)
    if ok and type(d) == "string" and d ~= "" then parts[1] = d end
  end
  local s = paint("1", tostring(l.class_name)) .. " '" .. tostring(l.name) .. "'"
  if #parts > 0 then s = s .. " (" .. table.concat(parts, ", ") .. ")" end
  local shape = last_shape[l]
  local out = rawget(l, "output")
  if not shape and is_tensor(out) then shape = tostring(out.shape) end
  if shape then s = s .. " -> " .. paint("32", shape) end
  local ok, n = pcall(l.count_params, l)
  if rawget(l, "built") or (ok and n and n > 0) then
    s = s .. ", " .. thousands(ok and n or 0) .. " params"
  else
    s = s .. ", not built yet"
  end
  return s
end

local function model_line(m)
  local layers = rawget(m, "layers") or {}
  local n = 0
  for _, l in ipairs(layers) do
    if l.class_name ~= "InputLayer" then n = n + 1 end
  end
  local function shapes(list, single)
    if type(list) == "table" and #list > 0 then
      local s = {}
      for i, x in ipairs(list) do s[i] = is_tensor(x) and tostring(x.shape) or "?" end
      return table.concat(s, ", ")
    end
    if is_tensor(single) then return tostring(single.shape) end
    return nil
  end
  local ins = shapes(rawget(m, "inputs"), rawget(m, "input"))
  local outs = shapes(rawget(m, "outputs"), rawget(m, "output"))
  local s = string.format("%s '%s' (%d layer%s", paint("1", tostring(m.class_name)),
                          tostring(m.name), n, n == 1 and "" or "s")
  if ins and outs then s = s .. ", " .. ins .. " -> " .. paint("32", outs) end
  local ok, p = pcall(m.count_params, m)
  s = s .. ")" .. ", " .. thousands(ok and p or 0) .. " params"
  return s .. paint("2", "  -- :summary() for the table")
end

-- a reverse map from library functions to their names (function nn.GRU)
local function_names
local function function_name(f)
  if not function_names then
    function_names = {}
    for _, mod in ipairs { "tensor", "nn", "viz", "data" } do
      local t = rawget(_G, mod)
      if type(t) == "table" then
        for k, v in next, t do
          if type(v) == "function" and type(k) == "string" then
            function_names[v] = function_names[v] or (mod .. "." .. k)
          end
        end
      end
    end
  end
  return function_names[f]
end

local MAX_DEPTH, MAX_ITEMS = 3, 30

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local show_value

local function show_table(t, level, seen, indent)
  if seen[t] then return "{ <cycle> }" end
  if level >= MAX_DEPTH then return "{...}" end
  seen[t] = true
  local items, n = {}, 0
  local len = rawlen(t)
  for i = 1, len do
    n = n + 1
    if n > MAX_ITEMS then break end
    items[#items + 1] = show_value(rawget(t, i), level + 1, seen, indent .. "  ")
  end
  local keys = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= len) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for _, k in ipairs(keys) do
    n = n + 1
    if n > MAX_ITEMS then break end
    local ks = is_identifier(k) and k
      or ("[" .. show_value(k, MAX_DEPTH, seen, indent) .. "]")
    items[#items + 1] = ks .. " = " .. show_value(rawget(t, k), level + 1, seen, indent .. "  ")
  end
  seen[t] = nil
  if n > MAX_ITEMS then items[#items + 1] = "... (" .. (len + #keys) .. " entries)" end
  if #items == 0 then return "{}" end
  local inline = "{" .. table.concat(items, ", ") .. "}"
  if #inline <= 76 and not inline:find("\n") then return inline end
  return "{\n" .. indent .. "  " .. table.concat(items, ",\n" .. indent .. "  ")
         .. "\n" .. indent .. "}"
end

function show_value(v, level, seen, indent)
  level, seen, indent = level or 0, seen or {}, indent or ""
  local t = type(v)
  if t == "string" then
    if level == 0 then return v end
    return paint("33", string.format("%q", v))
  elseif t == "number" or t == "boolean" or t == "nil" then
    return paint("36", tostring(v))
  elseif is_tensor(v) then
    if level > 0 and not v.symbolic then
      return "<tensor shape=" .. tostring(v.shape) .. ">"
    end
    return tostring(v)
  elseif t == "function" then
    local name = function_name(v)
    if name then return "function " .. name end
    return tostring(v)
  elseif layer_class(v) then
    if rawget(v, "layers") and type(v.summary) == "function" then return model_line(v) end
    return layer_line(v)
  elseif t == "table" then
    if getmetatable(v) and rawget(getmetatable(v), "__tostring") then
      local ok, s = pcall(tostring, v)
      if ok then return s end
    end
    return show_table(v, level, seen, indent)
  end
  local ok, s = pcall(tostring, v)
  return ok and s or ("<" .. t .. ">")
end
R.format = show_value

-- Prints the results of a line, as the prompt does.
function R.show(...)
  local n = select("#", ...)
  local parts = {}
  local multi = false
  for i = 1, n do
    parts[i] = show_value((select(i, ...)))
    if parts[i]:find("\n") then multi = true end
  end
  say(table.concat(parts, multi and "\n" or "\t"))
end

-- A message and a short traceback: the frames of the prompt's machinery
-- dropped, at most 6 kept.
function R.format_error(msg)
  msg = tostring(msg)
  local head, tb = msg:match("^(.-)\nstack traceback:\n(.*)$")
  if not head then return paint("31", msg) end
  local frames, dropped = {}, 0
  for line in tb:gmatch("[^\n]+") do
    local l = line:gsub("^%s+", "")
    if l ~= "[C]: in ?" and l ~= "(...tail calls...)" and not l:find("attnlab/repl.lua", 1, true)
       and l ~= "[C]: in function 'error'" and not l:find("attnlab/util.lua:", 1, true)
       and not l:find("attnlab/hints.lua:", 1, true)
       and not l:find("in function 'table.pack'", 1, true)
       and not l:find("in function 'pcall'", 1, true) then
      if #frames < 6 then frames[#frames + 1] = "  " .. l else dropped = dropped + 1 end
    end
  end
  if dropped > 0 then frames[#frames + 1] = "  (" .. dropped .. " more)" end
  if #frames == 0 then return paint("31", head) end
  return paint("31", head) .. "\n" .. paint("2", "traceback:\n" .. table.concat(frames, "\n"))
end

-- ---- completion ----------------------------------------------------------------

local keywords = { "and", "break", "do", "else", "elseif", "end", "false", "for",
                   "function", "goto", "if", "in", "local", "nil", "not", "or",
                   "repeat", "return", "then", "true", "until", "while" }

local tensor_fields = { "shape", "grad", "ndim", "requires_grad", "is_leaf",
                        "grad_fn", "dtype", "symbolic", "node", "mask" }
-- tensor functions that are not methods of a tensor
local not_methods = { zeros = true, ones = true, full = true, eye = true, arange = true,
                      rand = true, randn = true, from = true, None = true,
                      no_grad = true, is_grad_enabled = true, memory = true,
                      set_memory_limit = true, seed = true, load = true }

-- value.key through rawget and __index tables (never an __index function)
local function lookup(v, key)
  if type(v) == "table" then
    local hops, t = 0, v
    while type(t) == "table" and hops < 20 do
      local x = rawget(t, key)
      if x ~= nil then return x end
      local mt = getmetatable(t)
      t = type(mt) == "table" and rawget(mt, "__index") or nil
      hops = hops + 1
    end
  elseif is_tensor(v) then
    return rawget(tensor, key)
  elseif type(v) == "string" then
    return rawget(string, key)
  end
  return nil
end

-- a.b[1].c -> the value, walking with lookup
local function resolve(path)
  local v = _G
  local pos = 1
  while pos <= #path do
    local name, after = path:match("^%.?([%a_][%w_]*)()", pos)
    local key
    if name then
      key, pos = name, after
    else
      local idx, after2 = path:match("^%[(%d+)%]()", pos)
      if not idx then return nil end
      key, pos = tonumber(idx), after2
    end
    v = lookup(v, key)
    if v == nil then return nil end
  end
  return v
end
R.resolve = resolve

local function members(v, methods_only)
  local out, seen = {}, {}
  local function add_keys(t)
    for k, x in next, t do
      if is_identifier(k) and not seen[k] and (not methods_only or type(x) == "function") then
        seen[k] = true
        out[#out + 1] = k
      end
    end
  end
  if type(v) == "table" then
    local hops, t = 0, v
    while type(t) == "table" and hops < 20 do
      add_keys(t)
      local mt = getmetatable(t)
      t = type(mt) == "table" and rawget(mt, "__index") or nil
      hops = hops + 1
    end
  elseif is_tensor(v) then
    for k, x in next, tensor do
      if is_identifier(k) and type(x) == "function" and not (methods_only and not_methods[k]) then
        out[#out + 1] = k
      end
    end
    if not methods_only then
      for _, f in ipairs(tensor_fields) do out[#out + 1] = f end
    end
  elseif type(v) == "string" then
    add_keys(string)
  end
  return out
end

-- the unterminated string at the end of s, if any (its text so far)
local function open_string(s)
  local i, n, quote, start = 1, #s, nil, nil
  while i <= n do
    local c = s:sub(i, i)
    if quote then
      if c == "\\" then i = i + 1
      elseif c == quote then quote = nil end
    elseif c == '"' or c == "'" then
      quote, start = c, i + 1
    elseif c == "-" and s:sub(i + 1, i + 1) == "-" then
      return nil
    end
    i = i + 1
  end
  if quote then return s:sub(start) end
  return nil
end

-- File names for the string being typed: content is its text so far,
-- word the end of it that readline replaces (all of it: the prompt tells
-- readline about quotes, so a string is one word). A folder ends in "/".
local function complete_file(content, word)
  local dir, base = content:match("^(.*/)([^/]*)$")
  if not dir then dir, base = "", content end
  local list_dir = dir
  if list_dir:sub(1, 2) == "~/" then list_dir = (os.getenv("HOME") or "~") .. list_dir:sub(2) end
  local entries = C.listdir(list_dir == "" and "." or list_dir)
  local out = {}
  if not entries then return out end
  local keep = #content - #word -- the start of content readline does not replace
  if keep < 0 then return out end
  for _, e in ipairs(entries) do
    local name = e[1]
    if name:sub(1, #base) == base and (base:sub(1, 1) == "." or name:sub(1, 1) ~= ".") then
      out[#out + 1] = (dir .. name .. (e[2] and "/" or "")):sub(keep + 1)
    end
  end
  table.sort(out)
  return out
end

-- Names in a library table that a learner does not use (docs.internal,
-- and nn.DenseClass and the other class tables): completion offers them
-- only when nothing else matches.
local class_tables
local function is_internal(v, k)
  for _, mod in ipairs { "tensor", "nn", "viz", "data" } do
    if rawequal(v, rawget(_G, mod)) then
      if docs.internal[mod .. "." .. k] then return true end
      if mod ~= "nn" then return false end
      if not class_tables then
        class_tables = {}
        for _, cls in next, nn.classes do class_tables[cls] = true end
      end
      return k:match("Class$") ~= nil and class_tables[rawget(v, k)] == true
    end
  end
  if layer_class(v) then return docs.internal["Layer:" .. k] ~= nil end
  if type(v) ~= "table" then return false end
  -- a loss or an optimizer, found as losses.is_loss and
  -- optimizers.is_optimizer do, with raw reads
  local mt, hops = getmetatable(v), 0
  local name = type(mt) == "table" and rawget(mt, "class_name")
  if type(name) == "string" and rawget(nn.optimizers, name) ~= nil then
    return docs.internal["Optimizer:" .. k] ~= nil
  end
  while type(mt) == "table" and hops < 20 do
    if rawequal(mt, rawget(nn.losses, "Loss")) then return docs.internal["Loss:" .. k] ~= nil end
    local up = getmetatable(mt)
    mt = type(up) == "table" and rawget(up, "__index") or nil
    hops = hops + 1
  end
  return false
end

-- The callee whose option table the cursor is in: `nn.GRU(64, {ret` ->
-- "nn.GRU"; `model:fit(x, y, {ep` -> "model:fit"; nil when not at a key.
local function option_callee(before)
  if not before:match("[{,]%s*$") then return nil end
  local stack, i, n, quote = {}, 1, #before, nil
  while i <= n do
    local c = before:sub(i, i)
    if quote then
      if c == "\\" then i = i + 1 elseif c == quote then quote = nil end
    elseif c == '"' or c == "'" then quote = c
    elseif c == "(" or c == "{" or c == "[" then stack[#stack + 1] = { c, i }
    elseif c == ")" or c == "}" or c == "]" then stack[#stack] = nil
    end
    i = i + 1
  end
  local top = stack[#stack]
  if not top or top[1] ~= "{" then return nil end
  local pre = before:sub(1, top[2] - 1):gsub("%s+$", "")
  local callee = pre:match("([%a_][%w_%.:]*)$")
  if callee and pre:match("[%w_]$") then return callee end
  local paren = stack[#stack - 1]
  if paren and paren[1] == "(" then
    return before:sub(1, paren[2] - 1):match("([%a_][%w_%.:]*)%s*$")
  end
  return nil
end

-- option names for a callee, from nn.option_names or the docs
local function options_of(callee)
  local names = {}
  local method = callee:match(":([%a_][%w_]*)$")
  if method then
    local e = docs.index["Model:" .. method]
    for _, o in ipairs(e and e.options or {}) do names[#names + 1] = o[1] end
    return names
  end
  local f = resolve(callee)
  if f == nil then return names end
  local cls
  for k, v in next, nn do
    if rawequal(v, f) and type(k) == "string" then cls = k; break end
  end
  if not cls then
    -- viz.heatmap and other library functions with documented options
    local fname = function_name(f)
    local e = fname and docs.index[fname]
    for _, o in ipairs(e and e.options or {}) do names[#names + 1] = o[1] end
    return names
  end
  local known = rawget(nn.option_names, cls)
  if type(known) == "table" then
    for k in next, known do names[#names + 1] = k end
  else
    local e = docs.index["nn." .. cls]
    for _, o in ipairs(e and e.options or {}) do names[#names + 1] = o[1] end
  end
  return names
end

local function finish(list, word, suffix_of)
  local out, seen = {}, {}
  for _, c in ipairs(list) do
    if c:sub(1, #word) == word and not seen[c] then
      if word:sub(1, 1) == "_" or c:sub(1, 2) ~= "__" then
        seen[c] = true
        out[#out + 1] = c .. (suffix_of and suffix_of(c) or "")
      end
    end
  end
  table.sort(out)
  return out
end

-- R.complete(line, word): the candidates that replace word, the text
-- after the last break character of line (the line up to the cursor), or
-- after the quote of an unfinished string; and "file" when they are file
-- names (readline then ends a folder with "/" and closes the string after
-- a file).
function R.complete(line, word)
  local before = line:sub(1, #line - #word)
  local content = open_string(before)
  if content then return complete_file(content .. word, word), "file" end
  local sep = before:sub(-1)
  if sep == "." or sep == ":" then
    local path = before:sub(1, -2):match("([%a_][%w_%.%[%]]*)$")
    if not path then return {} end
    local v = resolve(path)
    if v == nil then return {} end
    local all = members(v, sep == ":")
    local public = {}
    for _, k in ipairs(all) do
      if not is_internal(v, k) then public[#public + 1] = k end
    end
    local suffix = sep == ":" and function() return "(" end or nil
    local out = finish(public, word, suffix)
    if #out == 0 then out = finish(all, word, suffix) end
    return out
  end
  local callee = option_callee(before)
  if callee then
    local opts = finish(options_of(callee), word, function() return "=" end)
    if #opts > 0 then return opts end
  end
  local names = {}
  for k in next, _G do
    if is_identifier(k) then names[#names + 1] = k end
  end
  for _, k in ipairs(keywords) do names[#names + 1] = k end
  return finish(names, word)
end

-- ---- help --------------------------------------------------------------------

local commands_help = {
  { ":help", "this list (help() too)", "这份说明（help() 也可以）" },
  { "?name", "the docstring of name: ?nn.GRU, ?viz.heatmap (help(x) too)",
    "name 的说明：?nn.GRU、?viz.heatmap（help(x) 也可以）" },
  { ":shapes on|off", "layer calls with their shapes (in fit: each layer once)",
    "打印层调用的输入和输出形状（fit 中每层只打印一次）" },
  { ":time on|off [s]", "show how long each command took, when longer than s (0.5)",
    "命令耗时超过 s 秒（默认 0.5）时显示用时" },
  { ":save file.lua", "write this session's successful commands to a script",
    "把本次会话中成功运行的命令写成脚本" },
  { ":lesson [N]", "list the lessons, or run lesson N step by step",
    "列出所有课程，或一步一步运行第 N 课" },
  { ":next :back :again", "in a lesson: skip a step, go one back, show the step again",
    "课程中：跳过这一步、回到上一步、再显示一遍这一步" },
  { ":lang en|zh", "the language of help, lessons and messages",
    "帮助、课程和提示信息所用的语言" },
  { ":quit", "leave the lesson, or the prompt (Ctrl-D on an empty line too)",
    "退出课程或退出提示符（在空行按 Ctrl-D 也可以）" },
}

local function overview()
  say(paint("1", "attnlab") .. i18n.tr(": Lua 5.4 with tensors and Keras-style layers.",
                                       "：带张量和 Keras 式层的 Lua 5.4。"))
  say("")
  say(i18n.tr("Modules:", "模块："))
  for _, m in ipairs { "tensor", "nn", "viz", "data" } do
    say(string.format("  %-8s %s", m, i18n.field(docs.modules, m) or docs.modules[m]))
  end
  say("")
  say(i18n.tr("Commands:", "命令："))
  for _, c in ipairs(commands_help) do
    say(string.format("  %-20s %s", c[1], i18n.tr(c[2], c[3])))
  end
  say("")
  say(i18n.tr("Keys: Tab completes names, methods after : and options in {...};\n"
              .. "Ctrl-R searches the history; Ctrl-C clears the line or stops a computation.\n"
              .. "A trailing ; hides the result. Documented:",
              "按键：Tab 补全名字、: 之后的方法和 {...} 中的选项；\n"
              .. "Ctrl-R 搜索历史；Ctrl-C 清空当前行或停止计算。\n"
              .. "行末的 ; 不显示结果。有说明的名字："))
  local names = {}
  for _, e in ipairs(docs.entries) do names[#names + 1] = e.name end
  local line = " "
  for _, n in ipairs(names) do
    if #line + #n + 1 > 78 then say(line); line = " " end
    line = line .. " " .. n
  end
  say(line)
end

-- the docs entry for a value or a name
local function find_entry(x)
  if type(x) == "string" then
    local s = x:gsub("^%s+", ""):gsub("%s+$", ""):gsub("%(.*$", "")
    if docs.index[s] then return docs.index[s] end
    for _, prefix in ipairs { "nn.", "tensor.", "viz.", "Model:" } do
      if docs.index[prefix .. s] then return docs.index[prefix .. s] end
    end
    -- x:mean, model:fit, gru:get_weights: the method of what x is
    local owner, method = s:match("^(.-)[:.]([%a_][%w_]*)$")
    if method then
      local v = owner ~= "" and resolve(owner) or nil
      local candidates = {}
      if is_tensor(v) then candidates = { "tensor." .. method }
      elseif layer_class(v) then
        local cls = layer_class(v)
        candidates = { cls .. ":" .. method, (rawget(v, "layers") and "Model:" or "Layer:") .. method,
                       "Model:" .. method, "Layer:" .. method }
      else
        candidates = { "Model:" .. method, "Layer:" .. method }
      end
      for _, c in ipairs(candidates) do
        if docs.index[c] then return docs.index[c] end
      end
    end
    local lower = s:lower()
    for _, e in ipairs(docs.entries) do
      for _, n in ipairs(docs.names(e)) do
        local short = n:match("[.:]([^.:]+)$") or n
        if short:lower() == lower then return e end
      end
    end
    local v = resolve(s)
    if v ~= nil and type(v) ~= "string" then return find_entry(v) end
    return nil
  end
  if type(x) == "function" then
    for _, e in ipairs(docs.entries) do
      for _, n in ipairs(docs.names(e)) do
        local v = resolve((n:gsub(":", ".")))
        if rawequal(v, x) then return e end
      end
    end
    local name = function_name(x)
    if name then return docs.index[name] end
    return nil
  end
  if is_tensor(x) or rawequal(x, tensor) then return docs.index.tensor end
  local cls = layer_class(x)
  if cls then
    if cls == "Functional" then return docs.index["nn.Model"] end
    return docs.index["nn." .. cls]
  end
  return nil
end

function R.help(x, ...)
  if select("#", ...) > 0 then error("help: one argument, e.g. help(nn.GRU) or help 'GRU'", 2) end
  if x == nil then overview(); return end
  for name, m in pairs { nn = nn, viz = rawget(_G, "viz"), data = rawget(_G, "data") } do
    if rawequal(x, m) then
      say(name .. i18n.tr(": ", "：") .. (i18n.field(docs.modules, name) or docs.modules[name]))
      local list = {}
      for _, e in ipairs(docs.entries) do
        if e.name:sub(1, #name + 1) == name .. "." then list[#list + 1] = e.name end
      end
      if #list > 0 then say(i18n.tr("Documented: ", "有说明的名字：") .. table.concat(list, ", ")) end
      return
    end
  end
  local e = find_entry(x)
  if not e then
    local what = type(x) == "string" and ("'" .. x .. "'") or show_value(x, 1)
    local similar = {}
    if type(x) == "string" then
      local lower = x:lower()
      for _, en in ipairs(docs.entries) do
        if en.name:lower():find(lower, 1, true) then similar[#similar + 1] = en.name end
      end
    end
    say("no help for " .. what .. (#similar > 0 and ("; try: " .. table.concat(similar, ", "))
                                   or "; help() lists what is documented"))
    return
  end
  local text = docs.render(e, false)
  local first, rest = text:match("^([^\n]*)(.*)$")
  say(paint("1", first) .. rest)
end

-- ---- lessons -----------------------------------------------------------------

function R.lesson_dir()
  if R.lessons_path then return R.lessons_path end -- tests
  local env = os.getenv("ATTNLAB_LESSONS")
  if env and env ~= "" then return env end
  local init = package.searchpath("attnlab.init", package.path)
    or package.searchpath("attnlab", package.path)
  if not init then return nil end
  return (init:gsub("attnlab/init%.lua$", "lessons"))
end

function R.lessons()
  local dir = R.lesson_dir()
  local list = {}
  local entries = dir and C.listdir(dir) or {}
  for _, e in ipairs(entries) do
    local n = e[1]:match("^(%d+)[_%-].*%.lua$")
    if n then list[#list + 1] = { n = tonumber(n), file = dir .. "/" .. e[1] } end
  end
  table.sort(list, function(a, b) return a.n < b.n end)
  return list
end

-- Runs a lesson's code as if typed line by line at the prompt: an
-- expression line prints its value, a statement spanning lines is read
-- whole, globals stay for the learner.
local pack, unpack = table.pack, table.unpack
local function run_chunk(code)
  -- as the prompt does: `return (...)(expr)` keeps expr out of a tail call
  local expr = code:gsub("%s+$", ""):gsub(";$", "")
  -- ")" on a line of its own only when a comment could hide it (Lua gives
  -- an error inside the expression the line of the ")")
  local close = expr:find("--", 1, true) and "\n)" or ")"
  local f = load("return (...)(" .. expr .. close, "=lesson", "t", _G)
  local packed = f ~= nil
  if not f then
    local err
    f, err = load(code, "=lesson", "t", _G)
    if not f then
      if err:match("<eof>$") then return "more" end
      say(R.format_error(hints.syntax_error(err, code)))
      return false
    end
    -- top-level locals stay for the next chunk, as at the prompt
    local rewritten = hints.toplevel_locals(code)
    f = rewritten and load(rewritten, "=lesson", "t", _G) or f
  end
  local res = pack(xpcall(f, debug.traceback, packed and pack or nil))
  if not res[1] then say(R.format_error(res[2])); return false end
  if packed then res = pack(true, unpack(res[2], 1, res[2].n)) end
  if res.n > 1 and not code:match(";%s*$") then R.show(unpack(res, 2, res.n)) end
  R.commands[#R.commands + 1] = code
  return true
end

-- Splits code into the chunks the prompt would run, line by line: a line
-- joins the chunk before it while that chunk is unfinished (a syntax
-- error at <eof> that is not an expression), as when typed. Returns the
-- list of chunks and the unfinished rest, if any.
local function split_chunks(code)
  local chunks, pending = {}, nil
  for line in (code .. "\n"):gmatch("(.-)\n") do
    pending = pending and (pending .. "\n" .. line) or line
    if pending:match("%S") then
      local expr = pending:gsub("%s+$", ""):gsub(";$", "")
      local is_expr = load("return (...)(" .. expr .. "\n)", "=lesson", "t", {}) ~= nil
      local _, err = load(pending, "=lesson", "t", {})
      if is_expr or not (err and err:match("<eof>$")) then
        chunks[#chunks + 1] = pending
        pending = nil
      end
    end
  end
  if pending and not pending:match("%S") then pending = nil end
  return chunks, pending
end

-- The code as the prompt shows it: attnlab> before a chunk, ...> before
-- its continuation lines.
function R.show_code(code)
  local chunks, rest = split_chunks(code)
  if rest then chunks[#chunks + 1] = rest end
  for _, chunk in ipairs(chunks) do
    local first = true
    for l in (chunk .. "\n"):gmatch("(.-)\n") do
      say(paint("2", first and "attnlab> " or "...> ") .. l)
      first = false
    end
  end
end

-- Runs code as if typed at the prompt, chunk by chunk; echo shows each
-- chunk just before it runs (a lesson run as a script reads like a
-- session at the prompt). False after the first chunk that fails.
local function run_code(code, echo)
  local chunks, rest = split_chunks(code)
  for _, chunk in ipairs(chunks) do
    if echo then R.show_code(chunk) end
    if run_chunk(chunk) ~= true then return false end
  end
  if rest then
    local _, err = load(rest, "=lesson", "t", _G)
    say(R.format_error(err or "unfinished code"))
    return false
  end
  return true
end

R.run_lines = run_code

-- :lesson N at the prompt: the lesson's steps shown one at a time.
-- Enter on an empty line runs the step shown and shows the next; any
-- other line is the learner's own code and runs as usual, so they can
-- explore between steps; :next skips a step, :back goes one back,
-- :again shows the current step again, :quit leaves the lesson (the
-- variables stay). R.lesson_state is nil outside a lesson.
R.lesson_state = nil
lesson_lib.out = function(s) R.out(s) end

local function lesson_hint()
  say(paint("2", i18n.tr("[Enter] runs this step; type your own code any time; :next :back :again :quit",
                         "[回车] 运行这一步；随时可以输入自己的代码；:next :back :again :quit")))
end

local function show_current()
  local st = R.lesson_state
  lesson_lib.show_step(st.lesson, st.i, paint)
  if not st.lesson.steps[st.i].code then
    lesson_lib.show_notice(st.lesson.steps[st.i], paint)
  end
  lesson_hint()
end

local function end_lesson()
  say("")
  say(paint("1", i18n.tr("End of the lesson; your variables stay. :lesson lists the others.",
                         "本课结束，变量都还在。:lesson 列出其他课程。")))
  R.lesson_state = nil
end

-- Enter: run the step shown, then show the next (or end the lesson).
local function lesson_step()
  local st = R.lesson_state
  local step = st.lesson.steps[st.i]
  local code = lesson_lib.code(st.lesson, step)
  if code then
    say("")
    if not run_code(code, true) then
      say(paint("2", i18n.tr("(the step failed; fix it by hand, or :again to see it again)",
                             "（这一步出错了：可以自己修正，或用 :again 再看一遍）")))
      return false
    end
    lesson_lib.show_notice(step, paint)
  end
  if st.i >= #st.lesson.steps then end_lesson(); return true end
  st.i = st.i + 1
  show_current()
  return true
end

function R.run_lesson(n, opts)
  opts = opts or {}
  local list = R.lessons()
  local entry
  for _, l in ipairs(list) do if l.n == n then entry = l end end
  if not entry then
    say(i18n.tr("no lesson %s; :lesson lists them", "没有第 %s 课；:lesson 列出所有课程", tostring(n)))
    return false
  end
  local lesson = lesson_lib.load(entry.file)
  R.lesson_state = { n = n, lesson = lesson, i = 1 }
  lesson_lib.header(lesson, n, paint)
  show_current()
  if opts.auto then -- every step at once (tests)
    while R.lesson_state do
      if not lesson_step() then R.lesson_state = nil; return false end
    end
  end
  return true
end

function R.empty_line()
  if R.lesson_state then lesson_step() end
  return true
end

-- ---- : commands ----------------------------------------------------------------

local function on_off(arg, current, what)
  if arg == "on" then return true end
  if arg == "off" then return false end
  if arg == "" then return not current end
  error(string.format(":%s takes on or off, got '%s'", what, arg), 0)
end

local handlers = {}

handlers.help = function() overview() end
handlers.h = handlers.help

handlers.shapes = function(arg)
  R.shapes = on_off(arg, R.shapes, "shapes")
  if R.shapes then R.install_hooks() end
  say(R.shapes and i18n.tr("shapes tracing on", "形状追踪：开") or i18n.tr("shapes tracing off", "形状追踪：关"))
end

handlers.time = function(arg)
  local sw, thr = arg:match("^(%S*)%s*(%S*)$")
  R.time = on_off(sw or "", R.time, "time")
  if thr and thr ~= "" then
    local t = tonumber(thr)
    if not t or t < 0 then error(":time: the threshold must be a number of seconds, got '" .. thr .. "'", 0) end
    R.time_threshold = t
  end
  if R.time then
    say(i18n.tr("timing on (commands over %g s)", "计时：开（显示超过 %g 秒的命令）", R.time_threshold))
  else
    say(i18n.tr("timing off", "计时：关"))
  end
end

handlers.save = function(arg)
  if arg == "" then error(":save needs a file name, e.g. :save session.lua", 0) end
  -- written whole or not at all: a temporary file renamed into place
  local tmp = arg .. ".tmp"
  local f, err = io.open(tmp, "w")
  if not f then error(":save: " .. err, 0) end
  local ok = f:write("-- attnlab session, saved " .. os.date("%Y-%m-%d %H:%M") .. "\n")
  for _, c in ipairs(R.commands) do ok = ok and f:write(c, "\n") end
  local closed, cerr = f:close()
  if not ok or not closed then os.remove(tmp); error(":save: " .. tostring(cerr or "write failed"), 0) end
  local renamed, rerr = os.rename(tmp, arg)
  if not renamed then os.remove(tmp); error(":save: " .. tostring(rerr), 0) end
  say(i18n.tr("saved %d command%s to %s", "已把 %d 条命令%s保存到 %s", #R.commands,
              i18n.zh() and "" or (#R.commands == 1 and "" or "s"), arg))
end

handlers.lesson = function(arg)
  if arg == "" then
    local list = R.lessons()
    if #list == 0 then
      say(i18n.tr("no lessons found in %s", "在 %s 中没有找到课程", tostring(R.lesson_dir())))
      return
    end
    for _, l in ipairs(list) do
      local ok, lesson = pcall(lesson_lib.load, l.file)
      if ok then
        say(string.format("  %2d  %s", l.n, i18n.field(lesson, "title") or "?"))
      else
        say(string.format("  %2d  (%s)", l.n, tostring(lesson)))
      end
    end
    say(i18n.tr(":lesson N runs lesson N", ":lesson N 运行第 N 课"))
    return
  end
  local n = tonumber(arg)
  if not n then error(i18n.tr(":lesson takes a number, got '%s'", ":lesson 后面要跟一个数字，而不是“%s”", arg), 0) end
  R.run_lesson(math.tointeger(n) or n)
end

local function in_lesson(cmd)
  if R.lesson_state then return true end
  say(i18n.tr(":%s moves inside a lesson; :lesson N starts one",
              ":%s 只在课程中使用；用 :lesson N 开始一课", cmd))
  return false
end

handlers.next = function()
  if not in_lesson("next") then return end
  local st = R.lesson_state
  if st.i >= #st.lesson.steps then end_lesson(); return end
  st.i = st.i + 1
  show_current()
end
handlers.n = handlers.next

handlers.back = function()
  if not in_lesson("back") then return end
  local st = R.lesson_state
  if st.i > 1 then st.i = st.i - 1 end
  show_current()
end
handlers.b = handlers.back

handlers.again = function()
  if not in_lesson("again") then return end
  show_current()
end

handlers.lang = function(arg)
  if arg == "" then
    say(i18n.tr("language: English (:lang zh for Chinese)", "语言：中文（:lang en 切换到英文）"))
    return
  end
  local ok = pcall(i18n.set, arg)
  if not ok then error(":lang takes en or zh, got '" .. arg .. "'", 0) end
  say(i18n.tr("language: English", "语言：中文"))
end

handlers.quit = function()
  if R.lesson_state then
    R.lesson_state = nil
    say(i18n.tr("(lesson stopped; your variables stay)", "（已退出课程，变量都还在）"))
    return
  end
  return "quit"
end
handlers.q = handlers.quit
handlers.exit = function() return "quit" end

-- A line that starts with : or ?; returns "quit" to leave.
function R.command(line)
  line = line:gsub("^%s+", ""):gsub("%s+$", "")
  if line:sub(1, 1) == "?" then
    local what = line:sub(2):gsub("^%s+", "")
    if what == "" then overview() else R.help(what) end
    return true
  end
  local name, arg = line:match("^:(%S*)%s*(.-)$")
  local h = handlers[name or ""]
  if not h then
    say(i18n.tr("unknown command '%s'; :help lists the commands", "没有命令“%s”；:help 列出所有命令", line))
    return true
  end
  return h(arg or "") or true
end

-- ---- the C side's calls ----------------------------------------------------

function R.start()
  R.install_hooks()
end

function R.banner(version)
  say(i18n.tr("attnlab %s - Lua 5.4 with tensors and layers. help() or :help for help;\n"
              .. "Tab completes, Ctrl-C stops a computation, Ctrl-D quits.",
              "attnlab %s：带张量和 Keras 式层的 Lua 5.4。help() 或 :help 查看帮助；\n"
              .. "Tab 补全，Ctrl-C 停止计算，Ctrl-D 退出（:lang en 切换到英文）。", version))
  return true
end

-- The prompt's statement chunks, before they run: top-level `local`s
-- become globals, so the next chunk sees them (attnlab.hints).
R.toplevel_locals = hints.toplevel_locals

function R.record(chunk)
  R.commands[#R.commands + 1] = chunk
end

function R.timed(seconds)
  depth = 0 -- a call that raised an error did not come back down
  if R.time and seconds >= R.time_threshold then
    say(paint("2", string.format("(%.3f s)", seconds)))
  end
end

return R
