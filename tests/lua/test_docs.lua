-- test_docs.lua - the docstrings (lua/attnlab/docs.lua and its four parts):
-- every public name of tensor, nn, nn.losses, nn.optimizers, viz and data,
-- and every method of a tensor, a layer, a model, a loss, an optimizer and a
-- tokenizer, has an entry in English and in Chinese; every option a
-- function accepts is listed; help() prints each entry in each language;
-- every example runs; docs/reference.md and docs/reference.zh.md are what
-- tools/gen_docs.lua writes now.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")
local R = require "attnlab.repl"
local docs = require "attnlab.docs"
local i18n = require "attnlab.i18n"

local START_LANG = i18n.lang

local capture = t.capture

local function in_lang(lang, fn, ...)
  local saved = i18n.lang
  i18n.set(lang)
  local res = table.pack(pcall(fn, ...))
  i18n.set(saved)
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

local function sorted_keys(tbl)
  local out = {}
  for k in pairs(tbl) do out[#out + 1] = k end
  table.sort(out, function(a, b) return tostring(a) < tostring(b) end)
  return out
end

local function set_text(s)
  return table.concat(sorted_keys(s), ", ")
end

-- ---- Chinese text ---------------------------------------------------------

-- CJK ideographs, CJK punctuation (、。“”「」), full-width forms (，：（）)
local function is_cjk(c)
  return c ~= nil and ((c >= 0x2E80 and c <= 0x9FFF) or (c >= 0xF900 and c <= 0xFAFF)
                       or (c >= 0xFF00 and c <= 0xFF60))
end

local function has_cjk(s)
  for _, c in utf8.codes(s) do
    if is_cjk(c) then return true end
  end
  return false
end

-- the first ASCII punctuation that touches a Chinese character, or nil
-- (the harness's rule, shared with the lessons' test)
local function ascii_punct_next_to_cjk(s)
  return t.chinese_punctuation_problems(s)[1]
end

local function check_zh(where, s)
  t.truthy(type(s) == "string" and s ~= "", where .. ": no Chinese text")
  t.truthy(has_cjk(s), where .. ": the Chinese text has no CJK characters: " .. s)
  local bad = ascii_punct_next_to_cjk(s)
  t.truthy(not bad, where .. ": ASCII punctuation next to Chinese in \"" .. tostring(bad) .. "\"")
end

local function check_en(where, s)
  t.truthy(type(s) == "string" and s ~= "", where .. ": no English text")
  t.truthy(not has_cjk(s), where .. ": Chinese in the English text: " .. s)
end

t.test("the Chinese checks catch what they should", function()
  t.truthy(ascii_punct_next_to_cjk("形状(见下)"))
  t.truthy(not ascii_punct_next_to_cjk("形状是 (批量, 时间步)，一个元组"))
  t.truthy(ascii_punct_next_to_cjk("张量,批量"))
  t.truthy(ascii_punct_next_to_cjk("第 0 轴:"))
  t.truthy(not ascii_punct_next_to_cjk("形状是 (2, 3)，x.shape。"))
  t.truthy(has_cjk("张量") and has_cjk("，") and not has_cjk("tensor (2, 3)"))
end)

t.test("every entry is complete, in English and in Chinese", function()
  local sections = {}
  for _, s in ipairs(docs.sections) do
    sections[s] = true
    check_zh("section " .. s, docs.sections_zh[s])
  end
  for _, m in ipairs { "tensor", "nn", "viz", "data" } do
    check_en("docs.modules." .. m, docs.modules[m])
    check_zh("docs.modules." .. m .. "_zh", docs.modules[m .. "_zh"])
  end
  local seen = {}
  for _, e in ipairs(docs.entries) do
    local w = e.name
    for _, n in ipairs(docs.names(e)) do
      t.truthy(not seen[n], "two entries document " .. n)
      seen[n] = true
    end
    t.truthy(sections[e.section], w .. ": unknown section " .. tostring(e.section))
    for _, k in ipairs { "signature", "keras", "example" } do
      t.truthy(type(e[k]) == "string" and e[k] ~= "", w .. ": no " .. k)
    end
    -- signature and keras are code, shown as they are in both languages
    for _, k in ipairs { "signature", "keras" } do
      local code = e[k]:gsub("%b\"\"", ""):gsub("%b''", "")
      t.truthy(not has_cjk(code) and not code:find("%a's%s"), w .. "." .. k .. " is not code: " .. e[k])
      for _, word in ipairs { "the", "in", "of", "with", "instead", "like", "or", "and", "is",
                              "to", "an", "its" } do
        t.truthy(not code:find("%f[%w_]" .. word .. "%f[^%w_]"), w .. "." .. k .. " has prose: " .. e[k])
      end
    end
    check_en(w .. ".computes", e.computes)
    check_zh(w .. ".computes_zh", e.computes_zh)
    if e.shapes then
      check_en(w .. ".shapes", e.shapes)
      -- words outside calls, (...) and {...} need a Chinese version
      if e.shapes:gsub("[%w_.:]+%b()", ""):gsub("%b()", ""):gsub("%b{}", ""):find("%a%a") then
        check_zh(w .. ".shapes_zh", e.shapes_zh)
      elseif e.shapes_zh then
        check_zh(w .. ".shapes_zh", e.shapes_zh)
      end
    end
    t.eq(e.needs ~= nil, e.needs_zh ~= nil, w .. ": needs and needs_zh go together")
    if e.needs then
      check_en(w .. ".needs", e.needs)
      check_zh(w .. ".needs_zh", e.needs_zh)
    end
    for _, key in ipairs { "options", "call_options" } do
      for i, o in ipairs(e[key] or {}) do
        local ow = string.format("%s.%s[%d] (%s)", w, key, i, tostring(o[1]))
        t.truthy(type(o[1]) == "string" and o[1]:match("^[%a_][%w_]*$"), ow .. ": a name")
        t.truthy(type(o[2]) == "string" and o[2] ~= "" and not has_cjk(o[2]), ow .. ": a default in code")
        check_en(ow .. " meaning", o[3])
        check_zh(ow .. " meaning_zh", o[4])
      end
    end
  end
  for name in pairs(docs.internal) do
    t.truthy(not docs.index[name], name .. " is both documented and internal")
  end
end)

-- ---- the public names --------------------------------------------------------

-- the fields a tensor answers besides its methods (src/lua/l_tensor.c)
local tensor_fields = { "shape", "grad", "ndim", "requires_grad", "is_leaf", "grad_fn",
                        "dtype", "symbolic", "node", "mask" }

-- the prefix of a class's methods in the docs
local function method_prefixes(class_name)
  if class_name == "Functional" then return { "Model", "Layer" } end
  if class_name == "Sequential" then return { "Sequential", "Model", "Layer" } end
  return { class_name, "Layer" }
end

-- the functions of t and of the tables its __index chain leads to
local function methods_of(tbl)
  local out, hops = {}, 0
  while type(tbl) == "table" and hops < 10 do
    for k, v in pairs(tbl) do
      if type(k) == "string" and type(v) == "function" and out[k] == nil then out[k] = v end
    end
    local mt = getmetatable(tbl)
    tbl = mt and rawget(mt, "__index")
    if type(tbl) ~= "table" then break end
    hops = hops + 1
  end
  return out
end

-- every public name: { {name=, candidates={doc names}} }, walked at runtime
local function public_names()
  local list = {}
  local function add(shown, ...)
    if shown:match("[.:]_[^.:]*$") then return end -- _private
    list[#list + 1] = { name = shown, candidates = { ... } }
  end
  local modules = { { "tensor", tensor }, { "nn", nn }, { "nn.losses", nn.losses },
                    { "nn.optimizers", nn.optimizers }, { "viz", viz }, { "data", data } }
  for _, m in ipairs(modules) do
    for _, k in ipairs(sorted_keys(m[2])) do
      if type(k) == "string" and not (m[1] == "nn" and (k == "losses" or k == "optimizers")) then
        add(m[1] .. "." .. k, m[1] .. "." .. k)
      end
    end
  end
  add("nn.losses", "nn.losses")
  add("nn.optimizers", "nn.optimizers")
  for _, f in ipairs(tensor_fields) do add("tensor." .. f, "tensor." .. f) end
  -- the methods of every layer class (a built layer and a compiled model
  -- find theirs there), up to nn.Layer
  for _, cls_name in ipairs(sorted_keys(nn.classes)) do
    for _, m in ipairs(sorted_keys(methods_of(nn.classes[cls_name]))) do
      if not m:match("^_") then
        local cands = {}
        for _, p in ipairs(method_prefixes(cls_name)) do cands[#cands + 1] = p .. ":" .. m end
        add(cls_name .. ":" .. m, table.unpack(cands))
      end
    end
  end
  -- a loss, an optimizer, a tokenizer
  local function object_methods(prefix, obj)
    local mt = getmetatable(obj)
    local found = methods_of(mt)
    local idx = rawget(mt, "__index")
    if type(idx) == "function" then -- optimizers: methods in the class, then Optimizer
      for k, v in pairs(mt) do if type(v) == "function" then found[k] = v end end
      for k, v in pairs(nn.optimizers.Optimizer) do if type(v) == "function" then found[k] = v end end
    end
    for _, m in ipairs(sorted_keys(found)) do
      if not m:match("^_") then add(prefix .. ":" .. m, prefix .. ":" .. m) end
    end
  end
  object_methods("Loss", nn.losses.CategoricalCrossentropy())
  object_methods("Loss", nn.losses.LossFunctionWrapper(function(y) return y end))
  object_methods("Optimizer", nn.optimizers.Adagrad())
  object_methods("Tokenizer", data.Tokenizer())
  return list
end

t.test("every public name has a docstring or is listed as internal", function()
  local missing = {}
  local count = 0
  for _, p in ipairs(public_names()) do
    local found = false
    for _, c in ipairs(p.candidates) do
      local generic = c:gsub("^[%w_]+:", "Layer:")
      if docs.index[c] or docs.internal[c] or (c:find(":") and docs.internal[generic]) then
        found = true
        break
      end
    end
    count = count + 1
    if not found then missing[#missing + 1] = p.name end
  end
  t.truthy(count > 200, "walked only " .. count .. " names")
  t.eq(table.concat(missing, ", "), "", "names without a docstring")
end)

t.test("help finds every name, in English and in Chinese", function()
  local function squash(s) return (s:gsub("%s+", "")) end
  local checked = 0
  for _, e in ipairs(docs.entries) do
    for _, n in ipairs(docs.names(e)) do
      local en = in_lang("en", capture, R.help, n)
      local zh = in_lang("zh", capture, R.help, n)
      t.truthy(en:find(e.signature, 1, true), n .. ": help does not print the signature:\n" .. en)
      t.truthy(squash(en):find(squash(e.computes), 1, true), n .. ": help lacks the English text:\n" .. en)
      t.truthy(not has_cjk(en), n .. ": Chinese in the English help")
      t.truthy(squash(zh):find(squash(e.computes_zh), 1, true), n .. ": help lacks the Chinese text:\n" .. zh)
      t.truthy(not zh:find(e.computes, 1, true), n .. ": the English text in the Chinese help")
      if e.options and #e.options > 0 then
        t.truthy(en:find("\nOptions:\n", 1, true), n .. ": no Options: heading")
        t.truthy(zh:find("\n选项：\n", 1, true), n .. ": no 选项： heading")
        for _, o in ipairs(e.options) do
          t.truthy(squash(zh):find(squash(o[4]), 1, true), n .. ": help lacks the meaning of " .. o[1])
        end
      end
      if e.shapes then
        t.truthy(zh:find("形状：" .. (e.shapes_zh or e.shapes), 1, true), n .. ": no 形状：")
      end
      t.truthy(zh:find(e.needs and "示例（需要 " .. e.needs_zh .. "）：" or "示例：", 1, true),
               n .. ": no 示例：")
      -- ?name at the prompt is the same
      t.eq(in_lang("zh", capture, R.command, "?" .. n), zh, "?" .. n)
      checked = checked + 1
    end
  end
  -- by value: functions of the global modules, layers and models
  for _, m in ipairs { "tensor", "nn", "viz", "data" } do
    for k, v in pairs(_G[m]) do
      local e = docs.index[m .. "." .. k]
      if type(v) == "function" and e then
        t.eq(in_lang("en", capture, R.help, v), in_lang("en", capture, R.help, m .. "." .. k),
             "help(" .. m .. "." .. k .. ")")
      end
    end
  end
  t.eq(capture(R.help, nn.GRU(2)), capture(R.help, "nn.GRU"))
  t.truthy(checked == #docs.entries + (function()
    local n = 0
    for _, e in ipairs(docs.entries) do n = n + #(e.aliases or {}) end
    return n
  end)())
end)

-- ---- options -----------------------------------------------------------------

local PROBE = "__probe__"

-- the option names fn rejects PROBE against ("unknown option '__probe__'
-- (known: a, b)"), or nil when it did not get that far
local function probe(fn)
  local ok, err = pcall(fn, { [PROBE] = true })
  if ok then return nil end
  local known = tostring(err):match("unknown option '" .. PROBE .. "' %(known: (.-)%)")
  if not known then return nil end
  local set = {}
  for n in known:gmatch("[^, ]+") do set[n] = true end
  return set
end

-- a layer constructor called with the probe in one of the usual places
local function probe_constructor(ctor)
  for _, call in ipairs {
    function(p) return ctor(p) end,
    function(p) return ctor(1, p) end,
    function(p) return ctor(1, 1, p) end,
  } do
    local set = probe(call)
    if set then return set end
  end
  return nil
end

-- options read without a check of unknown names: listed here, so that a
-- new entry with options cannot slip past the comparison below
local unchecked = {
  ["tensor.sum"] = "reads axis= and keepdims= from a table argument",
  ["tensor.matmul"] = "reads transpose_a= and transpose_b=",
  ["tensor.gradcheck"] = "reads eps= and tol=",
  ["Model:summary"] = "reads print_fn=",
}

-- a model compiled and data for it, to reach fit's and evaluate's checks
local function small_model()
  nn.clear_session()
  local x = nn.Input{3}
  local m = nn.Model(x, nn.Dense(1)(x))
  m:compile{ loss = "mse" }
  return m, tensor.ones(4, 3), tensor.ones(4, 1)
end

-- the options the code accepts under a documented name (found by the
-- probe; an exposed option_names table must say the same), or nil
local function known_options(name)
  local cls = name:match("^nn%.(%u[%w_]*)$")
  if cls == "Input" then
    return probe(function(p) p.shape = { 1 }; return nn.Input(p) end)
  end
  if cls and type(nn[cls]) == "function" then
    local from_table = rawget(nn.option_names, cls)
    local probed = probe_constructor(nn[cls])
    if from_table then
      t.eq(set_text(from_table), set_text(probed or {}), name .. ": nn.option_names." .. cls .. " is not what it checks")
    end
    return probed
  end
  local method = name:match("^Model:([%w_]+)$")
  if method == "summary" then return nil end -- unchecked, and it prints
  if method then
    local m, x, y = small_model()
    local from_table = rawget(nn.option_names, "Model:" .. method)
    local probed
    if method == "fit" or method == "evaluate" then
      probed = probe(function(p) return m[method](m, x, y, p) end)
    elseif method == "predict" then
      probed = probe(function(p) return m:predict(x, p) end)
    elseif method == "load_weights" then
      probed = probe(function(p) return m:load_weights("/nonexistent.safetensors", p) end)
    else
      probed = probe(function(p) return m[method](m, p) end)
    end
    if from_table then
      t.eq(set_text(from_table), set_text(probed or {}), name .. ": nn.option_names['" .. name .. "']")
    end
    return probed
  end
  local mod, fname = name:match("^(nn%.%a+)%.([%w_]+)$")
  if mod == "nn.losses" or mod == "nn.optimizers" then
    local m = mod == "nn.losses" and nn.losses or nn.optimizers
    local from_table = m.option_names[fname]
    local probed = probe(function(p)
      if fname == "LossFunctionWrapper" then return m[fname](function(a) return a end, p) end
      if fname:match("^%l") then return m[fname](tensor.ones(1, 2), tensor.ones(1, 2), p) end
      return m[fname](p)
    end)
    if from_table then
      t.eq(set_text(from_table), set_text(probed or {}), mod .. ".option_names." .. fname)
    end
    return probed
  end
  mod, fname = name:match("^(%a+)%.([%w_]+)$")
  if mod == "viz" or mod == "data" then
    local from_table = _G[mod].option_names[fname]
    local probed = probe(function(p)
      if mod == "viz" and fname == "grid" then return viz.grid({ tensor.eye(2) }, p) end
      if mod == "viz" and fname == "plot" then return viz.plot({ 1, 2 }, p) end
      if mod == "viz" and fname == "animate" then return viz.animate({ tensor.eye(2) }, p) end
      if mod == "viz" then return viz[fname](tensor.eye(2), p) end
      if fname == "text_to_word_sequence" then return data[fname]("a b", p) end
      if fname == "pad_sequences" then return data[fname]({ { 1 } }, p) end
      return data[fname](p)
    end)
    if from_table then
      t.eq(set_text(from_table), set_text(probed or {}), mod .. ".option_names." .. fname)
    end
    return probed
  end
  if mod == "tensor" then
    local calls = {
      zeros = function(p) return tensor.zeros(1, p) end, ones = function(p) return tensor.ones(1, p) end,
      full = function(p) return tensor.full({ 1 }, 0, p) end, eye = function(p) return tensor.eye(1, p) end,
      arange = function(p) return tensor.arange(1, p) end, from = function(p) return tensor.from({ 1 }, p) end,
      rand = function(p) return tensor.rand(1, p) end, randn = function(p) return tensor.randn(1, p) end,
      set_printoptions = function(p) return tensor.set_printoptions(p) end,
    }
    if calls[fname] then return probe(calls[fname]) end
  end
  return nil
end

-- the call options of a layer made by an entry's example-like constructor
local layer_calls = {
  ["nn.Dense"] = { function() return nn.Dense(1) end, function() return tensor.ones(1, 2) end },
  ["nn.Activation"] = { function() return nn.Activation("relu") end },
  ["nn.Embedding"] = { function() return nn.Embedding(3, 2) end },
  ["nn.Masking"] = { function() return nn.Masking() end },
  ["nn.Dropout"] = { function() return nn.Dropout(0.5) end },
  ["nn.Softmax"] = { function() return nn.Softmax() end },
  ["nn.Lambda"] = { function() return nn.Lambda(function(x) return x end) end },
  ["nn.TimeDistributed"] = { function() return nn.TimeDistributed(nn.Dense(1)) end },
  ["nn.Add"] = { function() return nn.Add() end, "list" },
  ["nn.Subtract"] = { function() return nn.Subtract() end, "list" },
  ["nn.Multiply"] = { function() return nn.Multiply() end, "list" },
  ["nn.Average"] = { function() return nn.Average() end, "list" },
  ["nn.Maximum"] = { function() return nn.Maximum() end, "list" },
  ["nn.Minimum"] = { function() return nn.Minimum() end, "list" },
  ["nn.Concatenate"] = { function() return nn.Concatenate() end, "list" },
  ["nn.Dot"] = { function() return nn.Dot(1) end, "list" },
  ["nn.Permute"] = { function() return nn.Permute{ 1 } end },
  ["nn.Reshape"] = { function() return nn.Reshape{ 2 } end },
  ["nn.Flatten"] = { function() return nn.Flatten() end },
  ["nn.RepeatVector"] = { function() return nn.RepeatVector(2) end },
  ["nn.GlobalAveragePooling1D"] = { function() return nn.GlobalAveragePooling1D() end },
  ["nn.GlobalAvgPool1D"] = { function() return nn.GlobalAvgPool1D() end },
  ["nn.GlobalMaxPooling1D"] = { function() return nn.GlobalMaxPooling1D() end },
  ["nn.GlobalMaxPool1D"] = { function() return nn.GlobalMaxPool1D() end },
  ["nn.GRU"] = { function() return nn.GRU(1) end },
  ["nn.LSTM"] = { function() return nn.LSTM(1) end },
  ["nn.SimpleRNN"] = { function() return nn.SimpleRNN(1) end },
  ["nn.Bidirectional"] = { function() return nn.Bidirectional(nn.GRU(1)) end },
  ["nn.Attention"] = { function() return nn.Attention() end, "qv" },
  ["nn.AdditiveAttention"] = { function() return nn.AdditiveAttention() end, "qv" },
  ["nn.MultiHeadAttention"] = { function() return nn.MultiHeadAttention{ num_heads = 1, key_dim = 1 } end, "qv" },
  ["nn.AttentionPooling"] = { function() return nn.AttentionPooling() end },
  ["nn.ProbAttention"] = { function() return nn.ProbAttention() end },
  ["nn.SelfAttention"] = { function() return nn.SelfAttention(1) end },
  ["nn.TimeAttention"] = { function() return nn.TimeAttention(1) end },
  ["nn.ProbSparseAttention"] = { function() return nn.ProbSparseAttention() end },
  ["nn.Layer"] = { function() return nn.Dense(1) end },
  ["nn.Model"] = { function() local x = nn.Input{ 2 }; return nn.Model(x, x) end },
  ["nn.Sequential"] = { function() return nn.Sequential{ nn.Input{ 2 } } end },
}

local function known_call_options(name)
  local spec = layer_calls[name]
  if not spec then return nil end
  local layer = spec[1]()
  local x = tensor.ones(1, 2, 2)
  return probe(function(p)
    if spec[2] == "list" then return layer({ x, x }, p) end
    if spec[2] == "qv" then return layer({ x, x }, p) end
    return layer(x, p)
  end)
end

t.test("every option a function accepts is documented, and only those", function()
  local compared = 0
  local function compare(e, key, known_of)
    local documented, ignored = {}, {}
    for _, o in ipairs(e[key] or {}) do
      documented[o[1]] = true
      if o.ignored then ignored[o[1]] = true end
    end
    local accepted, any = {}, false
    for _, n in ipairs(docs.names(e)) do
      local k = known_of(n)
      if k then
        any = true
        for opt in pairs(k) do accepted[opt] = true end
      end
    end
    if not any then return false end
    for opt in pairs(ignored) do
      t.truthy(not accepted[opt], e.name .. ": " .. opt .. " is checked, so it is not ignored")
      accepted[opt] = true -- taken without a check (and ignored)
    end
    t.eq(set_text(documented), set_text(accepted), e.name .. " " .. key)
    compared = compared + 1
    return true
  end
  for _, e in ipairs(docs.entries) do
    local done = compare(e, "options", known_options)
    if e.options and #e.options > 0 and not done then
      t.truthy(unchecked[e.name], e.name .. ": documents options no check confirms")
    end
    if layer_calls[e.name] then
      -- the layer's call options: its own, or those of nn.Layer's call
      local saved = e.call_options
      if not saved then e.call_options = docs.index["nn.Layer"].call_options end
      t.truthy(compare(e, "call_options", known_call_options), e.name .. ": call options not probed")
      e.call_options = saved
    end
  end
  -- the unchecked list names documented entries only
  for name in pairs(unchecked) do t.truthy(docs.index[name], name) end
  t.truthy(compared > 60, "compared only " .. compared)
  -- the brief's example: viz.heatmap lists fmt, colorbar_label, width, scale
  local hm = {}
  for _, o in ipairs(docs.index["viz.heatmap"].options) do hm[o[1]] = true end
  t.truthy(hm.fmt and hm.colorbar_label and hm.width and hm.scale)
end)

-- ---- examples -----------------------------------------------------------------

-- Files the examples write go to a temporary directory: the file options
-- and paths of viz, tensor.save/load and model weights are redirected.
local function redirect_files(dir)
  local written = {}
  local function into(path)
    local p = dir .. "/" .. tostring(path):gsub("^.*/", "")
    return p
  end
  local saved = {}
  local function wrap(tbl, key, fn)
    saved[#saved + 1] = { tbl, key, tbl[key] }
    tbl[key] = fn(tbl[key])
  end
  for _, f in ipairs { "heatmap", "attention", "plot" } do
    wrap(viz, f, function(orig)
      return function(m, opts)
        local o = {}
        for k, v in pairs(opts or {}) do o[k] = v end
        local file = o.file or (type(m) == "table" and not nn.is_tensor(m) and rawget(m, "file"))
                     or (f == "heatmap" and "heatmap.png" or f == "attention" and "attention.png" or "history.png")
        o.file = into(file)
        written[#written + 1] = o.file
        return orig(m, o)
      end
    end)
  end
  wrap(viz, "grid", function(orig)
    return function(spec, opts)
      local o = {}
      for k, v in pairs(opts or {}) do o[k] = v end
      o.file = into(o.file or spec.file or "grid.png")
      written[#written + 1] = o.file
      return orig(spec, o)
    end
  end)
  wrap(tensor, "save", function(orig)
    return function(x, path)
      written[#written + 1] = into(path)
      return orig(x, into(path))
    end
  end)
  wrap(tensor, "load", function(orig) return function(path) return orig(into(path)) end end)
  for _, cls in ipairs { nn.classes.Functional, nn.classes.Sequential } do
    wrap(cls, "save_weights", function(orig)
      return function(self, path)
        written[#written + 1] = into(path)
        return orig(self, into(path))
      end
    end)
    wrap(cls, "load_weights", function(orig)
      return function(self, path, opts) return orig(self, into(path), opts) end
    end)
  end
  local function restore()
    for i = #saved, 1, -1 do saved[i][1][saved[i][2]] = saved[i][3] end
  end
  return written, restore
end

t.test("every example runs, each section in order, those with needs last", function()
  local dir = os.tmpname()
  os.remove(dir)
  t.truthy(os.execute("mkdir '" .. dir .. "'"), "mkdir " .. dir)
  local written, restore = redirect_files(dir)
  local old_print = print
  local ran, failures = 0, {}
  local ok, err = pcall(function()
    nn.clear_session()
    nn.seed(0)
    for _, section in ipairs(docs.sections) do
      for pass = 1, 2 do
        for _, e in ipairs(docs.entries) do
          if e.section == section and ((pass == 1) == (e.needs == nil)) then
            local printed = {}
            print = function(...)
              local parts = table.pack(...)
              for i = 1, parts.n do parts[i] = tostring(parts[i]) end
              printed[#printed + 1] = table.concat(parts, "\t", 1, parts.n)
            end
            local good
            local out = capture(function() good = R.run_lines(e.example) end)
            print = old_print
            ran = ran + 1
            if not good or out:find("traceback", 1, true) then
              failures[#failures + 1] = e.name .. ":\n" .. out .. table.concat(printed, "\n")
            end
          end
        end
      end
    end
  end)
  print = old_print
  restore()
  local missing = {}
  for _, f in ipairs(written) do
    local fh = io.open(f, "rb")
    if fh then fh:close() else missing[#missing + 1] = f end
  end
  os.execute("rm -rf '" .. dir .. "'")
  t.truthy(ok, tostring(err))
  t.eq(ran, #docs.entries)
  t.eq(table.concat(failures, "\n\n"), "", "examples that failed")
  t.truthy(#written >= 6, "the examples wrote " .. #written .. " files")
  t.eq(table.concat(missing, ", "), "", "files the examples did not write")
end)

t.test("every documented name exists", function()
  local public = {}
  for _, p in ipairs(public_names()) do
    for _, c in ipairs(p.candidates) do public[c] = true end
    public[p.name] = true
  end
  -- names that are not a table key: the tensor module itself, None, the
  -- call protocol's methods, the Tokenizer's constructor
  local extra = { tensor = true, None = true, ["data.Tokenizer.new"] = data.Tokenizer.new ~= nil }
  local stale = {}
  for _, e in ipairs(docs.entries) do
    for _, n in ipairs(docs.names(e)) do
      local method = n:match(":([%w_]+)$")
      local ok = public[n] or extra[n]
      if not ok and method then
        -- Layer:m documents a method some layer class has
        for _, cls in pairs(nn.classes) do
          if methods_of(cls)[method] then ok = true end
        end
      end
      if not ok then stale[#stale + 1] = n end
    end
  end
  t.eq(table.concat(stale, ", "), "", "documented names that do not exist")
  for name in pairs(docs.internal) do
    local method = name:match("^Layer:([%w_]+)$")
    local exists = public[name]
    if method then
      for _, cls in pairs(nn.classes) do exists = exists or methods_of(cls)[method] ~= nil end
    end
    t.truthy(exists, "docs.internal lists " .. name .. ", which does not exist")
  end
end)

-- ---- the reference pages ----------------------------------------------------------

t.test("docs/reference.md and docs/reference.zh.md are what gen_docs writes", function()
  local dir = os.getenv("ATTNLAB_TESTDIR") or (arg[0]:match("^(.*)/lua/") or "tests")
  local root = dir:gsub("/?tests/?$", "")
  if root == "" then root = "." end
  local ATTNLAB = os.getenv("ATTNLAB") or arg[-1]
  local en, zh = os.tmpname(), os.tmpname()
  local ok = os.execute(string.format("'%s' '%s/tools/gen_docs.lua' '%s' '%s' >/dev/null",
                                      ATTNLAB, root, en, zh))
  t.truthy(ok, "gen_docs failed")
  local function slurp(p)
    local f = assert(io.open(p))
    local s = f:read("a")
    f:close()
    return s
  end
  local gen_en, gen_zh = slurp(en), slurp(zh)
  os.remove(en)
  os.remove(zh)
  for _, e in ipairs(docs.entries) do
    t.truthy(gen_en:find("### `" .. e.name .. "`", 1, true), "reference.md lacks " .. e.name)
    t.truthy(gen_zh:find("### `" .. e.name .. "`", 1, true), "reference.zh.md lacks " .. e.name)
    t.truthy(gen_zh:find(e.computes_zh, 1, true), "reference.zh.md lacks the text of " .. e.name)
    for _, a in ipairs(e.aliases or {}) do
      t.truthy(gen_en:find("`" .. a .. "`", 1, true), "reference.md lacks " .. a)
    end
  end
  t.truthy(not has_cjk((gen_en:gsub("中文版：%[reference%.zh%.md%]%(reference%.zh%.md%)", ""))),
           "Chinese in reference.md")
  t.eq(slurp(root .. "/docs/reference.md"), gen_en, "docs/reference.md is stale: make docs")
  t.eq(slurp(root .. "/docs/reference.zh.md"), gen_zh, "docs/reference.zh.md is stale: make docs")
end)

t.eq(i18n.lang, START_LANG, "the language is restored")
t.done()
