-- attnlab.hints: Python and Keras habits met with hints, and scripts
-- pasted into the prompt.
--
--   hints.install(_G)           reading True, np, keras, ... (undefined)
--                               raises an error saying what Lua writes
--   hints.syntax_error(msg, code, file)
--                               msg, with a hint added when it is the
--                               "')' expected near '='" of a keyword
--                               argument: `f(x, key=value)`
--   hints.toplevel_locals(code) code with its top-level `local`s made
--                               global assignments (the prompt runs each
--                               chunk alone), or nil when it has none
--
-- All three read Lua source with the small lexer below; none runs code.
local i18n = require "attnlab.i18n"

local H = {}

-- ---- a Lua lexer ----------------------------------------------------------

local keywords = {}
for w in ([[and break do else elseif end false for function goto if in
            local nil not or repeat return then true until while]]):gmatch("%a+") do
  keywords[w] = true
end

-- the operators of Lua 5.4, longest first
local operators = { "...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>" }

-- Tokens of code: { t = "name" | "kw" | "number" | "string" | "op",
-- v = the text, s = first byte, e = last byte, line = its line }.
-- Comments and spaces are skipped. Unfinished strings and comments end
-- the text they are in, so code with a syntax error lexes too.
function H.lex(code)
  local toks = {}
  local i, n, line = 1, #code, 1
  local function newlines(a, b)
    local _, k = code:sub(a, b):gsub("\n", "")
    line = line + k
  end
  local function add(t, v, s, e, l)
    toks[#toks + 1] = { t = t, v = v, s = s, e = e, line = l }
  end
  -- a long bracket [==[ ... ]==] that starts at i; returns its last byte
  local function long_bracket(at)
    local eqs = code:match("^%[(=*)%[", at)
    if not eqs then return nil end
    local _, stop = code:find("]" .. eqs .. "]", at + #eqs + 2, true)
    return stop or n
  end
  if code:sub(1, 1) == "#" then -- a #! line, as lua_load skips it
    i = code:find("\n", 1, true) or n + 1
  end
  while i <= n do
    local c = code:sub(i, i)
    if c == "\n" then
      line = line + 1
      i = i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif c == "-" and code:sub(i + 1, i + 1) == "-" then
      local stop = long_bracket(i + 2)
      if stop then
        newlines(i, stop)
        i = stop + 1
      else
        i = code:find("\n", i, true) or n + 1
      end
    elseif c:match("[%a_]") then
      local word = code:match("^[%w_]+", i)
      add(keywords[word] and "kw" or "name", word, i, i + #word - 1, line)
      i = i + #word
    elseif c:match("%d") or (c == "." and code:sub(i + 1, i + 1):match("%d")) then
      local j = i
      local hex = code:match("^0[xX]", i) ~= nil
      while j <= n do
        local d = code:sub(j, j)
        if d:match("[%w%.]") then
          j = j + 1
        elseif (d == "+" or d == "-") and code:sub(j - 1, j - 1):match(hex and "[pP]" or "[eE]") then
          j = j + 1
        else
          break
        end
      end
      add("number", code:sub(i, j - 1), i, j - 1, line)
      i = j
    elseif c == '"' or c == "'" then
      local j, l0 = i + 1, line
      while j <= n do
        local d = code:sub(j, j)
        if d == "\\" then
          local after = code:sub(j + 1, j + 1)
          if after == "\n" then line = line + 1 end
          j = j + 2
          if after == "z" then
            while j <= n and code:sub(j, j):match("%s") do
              if code:sub(j, j) == "\n" then line = line + 1 end
              j = j + 1
            end
          end
        elseif d == c then
          break
        elseif d == "\n" then
          j = j - 1 -- unfinished: the string ends with its line
          break
        else
          j = j + 1
        end
      end
      j = math.min(j, n)
      add("string", code:sub(i, j), i, j, l0)
      i = j + 1
    elseif c == "[" and long_bracket(i) then
      local stop, l0 = long_bracket(i), line
      newlines(i, stop)
      add("string", code:sub(i, stop), i, stop, l0)
      i = stop + 1
    else
      local op = c
      for _, o in ipairs(operators) do
        if code:sub(i, i + #o - 1) == o then op = o; break end
      end
      add("op", op, i, i + #op - 1, line)
      i = i + #op
    end
  end
  return toks
end

-- the keywords that open a block closed by `end` (or `until`)
local opens_block = { ["function"] = true, ["if"] = true, ["do"] = true, ["repeat"] = true }
local closes_block = { ["end"] = true, ["until"] = true }

-- Applies edits { s =, e =, text = } (bytes s..e become text; e = s - 1
-- inserts before s) in order of s.
local function apply(code, edits)
  table.sort(edits, function(a, b) return a.s < b.s end)
  local out, pos = {}, 1
  for _, ed in ipairs(edits) do
    out[#out + 1] = code:sub(pos, ed.s - 1)
    out[#out + 1] = ed.text
    pos = ed.e + 1
  end
  out[#out + 1] = code:sub(pos)
  return table.concat(out)
end

-- ---- undefined globals a Python or Keras user reaches for ------------------

H.globals = {
  True = { "'True' is not defined: Lua writes true (lower case)",
           "没有定义“True”：Lua 写作 true（小写）" },
  False = { "'False' is not defined: Lua writes false (lower case)",
            "没有定义“False”：Lua 写作 false（小写）" },
  None = { "'None' is not defined: Lua writes nil for no value, and nn.None for Keras's unknown size",
           "没有定义“None”：Lua 用 nil 表示没有值，用 nn.None 表示 Keras 的未知大小" },
  np = { "'np' is not defined: attnlab has no NumPy; tensor.* has the array functions "
         .. "(tensor.zeros, tensor.from, tensor.matmul)",
         "没有定义“np”：attnlab 里没有 NumPy；数组函数在 tensor.* 里（tensor.zeros、tensor.from、tensor.matmul）" },
  tf = { "'tf' is not defined: attnlab has no TensorFlow; tensor.* has the ops "
         .. "(tensor.matmul, tensor.softmax) and nn.* the layers",
         "没有定义“tf”：attnlab 里没有 TensorFlow；运算在 tensor.* 里（tensor.matmul、tensor.softmax），层在 nn.* 里" },
  keras = { "'keras' is not defined: attnlab has no keras module; nn.* has the layers, "
            .. "models, losses and optimizers (nn.GRU, nn.Model)",
            "没有定义“keras”：attnlab 里没有 keras 模块；层、模型、损失函数和优化器都在 nn.* 里（nn.GRU、nn.Model）" },
  layers = { "'layers' is not defined: Keras's layers are nn.* here (nn.Dense, nn.GRU)",
             "没有定义“layers”：Keras 的层在这里是 nn.*（nn.Dense、nn.GRU）" },
  K = { "'K' is not defined: the Keras backend's functions are tensor.* here "
        .. "(tensor.sum, tensor.batch_dot)",
        "没有定义“K”：Keras 后端的函数在这里是 tensor.*（tensor.sum、tensor.batch_dot）" },
}

-- Reading one of H.globals while it is unset raises its message at the
-- reader's line; every other undefined global is nil, as in Lua, and
-- assigning any of them works (`K = 3`).
local function undefined_global(_, name)
  local hint = H.globals[name]
  if hint then error(i18n.tr(hint[1], hint[2]), 2) end
  return nil
end

function H.install(G)
  local mt = getmetatable(G)
  if mt == nil then
    setmetatable(G, { __index = undefined_global })
  elseif type(mt) == "table" and rawget(mt, "__index") == nil then
    mt.__index = undefined_global
  end
  return G
end

-- ---- keyword arguments: f(x, key=value) -------------------------------------

-- tokens that end a value: after one, `(` is a call and `[` an index
local function ends_value(tk)
  if not tk then return false end
  if tk.t == "name" or tk.t == "number" or tk.t == "string" then return true end
  if tk.t == "kw" then return tk.v == "true" or tk.v == "false" or tk.v == "nil" or tk.v == "end" end
  return tk.v == ")" or tk.v == "]" or tk.v == "}" or tk.v == "..."
end

local pairs_of = { ["("] = ")", ["{"] = "}", ["["] = "]" }

-- the index of the token closing the bracket at toks[i], or nil
local function closing(toks, i, last)
  local d = 0
  for j = i, last or #toks do
    local v = toks[j].t == "op" and toks[j].v
    if v == "(" or v == "{" or v == "[" then d = d + 1
    elseif v == ")" or v == "}" or v == "]" then
      d = d - 1
      if d == 0 then return j end
    end
  end
  return nil
end

-- The text of toks[a..b] as Lua: Python's True/False become true/false,
-- None nil (but None inside brackets, a size in a shape, stays None),
-- lists [1, 2] and tuples (1, 2) become tables {1, 2}; the spacing is the
-- source's, with line breaks as spaces.
local function as_lua(code, toks, a, b)
  local replace = {}
  local depth = 0
  for i = a, b do
    local tk = toks[i]
    if tk.t == "op" and pairs_of[tk.v] then depth = depth + 1
    elseif tk.t == "op" and (tk.v == ")" or tk.v == "}" or tk.v == "]") then depth = depth - 1 end
    if tk.t == "name" and (tk.v == "True" or tk.v == "False" or (tk.v == "None" and depth == 0)) then
      replace[i] = ({ True = "true", False = "false", None = "nil" })[tk.v]
    elseif tk.t == "op" and (tk.v == "[" or tk.v == "(") and not ends_value(i > a and toks[i - 1] or nil) then
      local j = closing(toks, i, b)
      local tuple = tk.v == "[" -- a list is always a table
      if j and not tuple then -- ( a, b ): a tuple when a comma is at its top
        local d = 0
        for k = i + 1, j - 1 do
          local v = toks[k].t == "op" and toks[k].v
          if pairs_of[v] then d = d + 1
          elseif v == ")" or v == "}" or v == "]" then d = d - 1
          elseif v == "," and d == 0 then tuple = true end
        end
      end
      if j and tuple then
        replace[i], replace[j] = "{", "}"
        if j - 1 > i and toks[j - 1].v == "," and toks[j - 1].t == "op" then
          replace[j - 1] = "" -- (10,) is {10}
        end
      end
    end
  end
  local out = {}
  for i = a, b do
    if i > a then
      local gap = code:sub(toks[i - 1].e + 1, toks[i].s - 1)
      if replace[i] == "" then gap = "" end
      out[#out + 1] = gap:find("\n") and " " or gap
    end
    out[#out + 1] = replace[i] or toks[i].v
  end
  return table.concat(out)
end

-- modules whose functions are called with `.`; any other `x.f(...)` is
-- Python's method call, `x:f(...)` in Lua
local modules = { tensor = true, nn = true, viz = true, data = true, math = true,
                  string = true, table = true, io = true, os = true, utf8 = true,
                  coroutine = true, debug = true, package = true }

-- Keras's spellings of a layer's module, which is nn here
local keras_prefixes = { "tf.keras.layers.", "keras.layers.", "layers.", "tf.keras.", "keras." }

-- The suggestion for the call whose keyword argument (the `=` at toks[eq])
-- Lua rejects: { text = "nn.GRU(64, {return_sequences = true})",
-- method = true when `.` became `:` }, { defaults = ... } for a function
-- definition with default values, or nil.
local function suggest(code, toks, eq)
  -- the open parenthesis of the call
  local d, open = 0, nil
  for i = eq - 1, 1, -1 do
    local v = toks[i].t == "op" and toks[i].v
    if v == ")" or v == "}" or v == "]" then d = d + 1
    elseif v == "(" or v == "{" or v == "[" then
      if d == 0 then open = i; break end
      d = d - 1
    end
  end
  if not open or toks[open].v ~= "(" then return nil end
  -- the function called: a name, then .name or :name
  local first = open - 1
  if not (toks[first] and toks[first].t == "name") then return nil end
  while first > 2 and toks[first - 1].t == "op" and (toks[first - 1].v == "." or toks[first - 1].v == ":")
        and toks[first - 2].t == "name" do
    first = first - 2
  end
  local callee = {}
  for i = first, open - 1 do callee[#callee + 1] = toks[i].v end
  callee = table.concat(callee)
  local close = closing(toks, open)
  if not close then return nil end
  -- the arguments, split at the commas of the top level
  local args, start, depth = {}, open + 1, 0
  for i = open + 1, close do
    local v = toks[i].t == "op" and toks[i].v
    if i == close or (v == "," and depth == 0) then
      if i > start then args[#args + 1] = { start, i - 1 } end
      start = i + 1
    elseif pairs_of[v] then depth = depth + 1
    elseif v == ")" or v == "}" or v == "]" then depth = depth - 1 end
  end
  local positional, keyword = {}, {}
  for _, r in ipairs(args) do
    local a, b = r[1], r[2]
    if toks[a].t == "name" and a < b and toks[a + 1].t == "op" and toks[a + 1].v == "=" then
      if a + 1 == b then return nil end -- key= and no value
      keyword[#keyword + 1] = { name = toks[a].v, value = as_lua(code, toks, a + 2, b) }
    else
      positional[#positional + 1] = as_lua(code, toks, a, b)
    end
  end
  if #keyword == 0 then return nil end
  local before = toks[first - 1]
  if before and before.t == "kw" and before.v == "function" then
    -- def f(a, b=2): a definition with default values
    local body = {}
    for _, k in ipairs(keyword) do
      positional[#positional + 1] = k.name
      body[#body + 1] = string.format("if %s == nil then %s = %s end", k.name, k.name, k.value)
    end
    return { defaults = true, text = "function " .. callee .. "(" .. table.concat(positional, ", ") .. ")",
             body = table.concat(body, " ") }
  end
  if before and before.t == "op" and (before.v == "." or before.v == ":") then
    return nil -- (expr).f(...), a[1].f(...): not a chain of names
  end
  -- Keras's modules are nn here; x.f(...) on a value is x:f(...)
  local method = false
  for _, p in ipairs(keras_prefixes) do
    if callee:sub(1, #p) == p and not callee:sub(#p + 1):find("[.:]") then
      callee = "nn." .. callee:sub(#p + 1)
      break
    end
  end
  local root, last = callee:match("^([%a_][%w_]*)%.([%a_][%w_]*)$")
  local value = root and rawget(_G, root)
  local object = type(value) == "table" and getmetatable(value) ~= nil
  if root and not modules[root] and not H.globals[root]
     and (object or (value == nil and root:match("^[%l_]"))) then
    callee = root .. ":" .. last
    method = true
  end
  local opts = {}
  for i, k in ipairs(keyword) do opts[i] = k.name .. " = " .. k.value end
  local text
  if #positional == 0 then
    text = callee .. "{" .. table.concat(opts, ", ") .. "}"
  else
    text = callee .. "(" .. table.concat(positional, ", ") .. ", {" .. table.concat(opts, ", ") .. "})"
  end
  return { text = text, method = method }
end

-- The `=` Lua stopped at: the first one whose innermost bracket is a `(`
-- (an `=` is never valid there outside a function body).
local function failing_equals(toks)
  local stack = {}
  for i, tk in ipairs(toks) do
    local v = tk.v
    if tk.t == "op" then
      if v == "(" or v == "{" or v == "[" then stack[#stack + 1] = v
      elseif v == ")" or v == "}" or v == "]" then stack[#stack] = nil
      elseif v == "=" and stack[#stack] == "(" then return i end
    elseif tk.t == "kw" then
      if opens_block[v] then stack[#stack + 1] = "block"
      elseif closes_block[v] then stack[#stack] = nil end
    end
  end
  return nil
end

local function read_file(name)
  local f = name and io.open(name, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- msg (a syntax error from loading code) with a hint added when Lua
-- stopped at the `=` of a keyword argument; any other msg unchanged.
-- code is the chunk's text; when nil, the file `file` is read for it.
function H.syntax_error(msg, code, file)
  if type(msg) ~= "string" then return msg end
  local line = msg:match("^.*:(%d+): '%)' expected[^\n]* near '='$")
  if not line then return msg end
  line = tonumber(line)
  code = code or read_file(file)
  local s
  if type(code) == "string" then
    local ok, toks = pcall(H.lex, code)
    if ok then
      local eq = failing_equals(toks)
      if eq and toks[eq].line == line then
        local ok2, r = pcall(suggest, code, toks, eq)
        if ok2 then s = r end
      end
    end
  end
  local hint
  if s and s.defaults then
    hint = i18n.tr("Lua has no default parameter values: write `%s` and begin its body with `%s`",
                   "Lua 没有参数默认值：写成 `%s`，并在函数体开头写 `%s`", s.text, s.body)
  elseif s and s.method then
    hint = i18n.tr("Lua has no keyword arguments: write `%s` (a method is called with `:`)",
                   "Lua 没有关键字参数：写成 `%s`（调用方法用 `:`）", s.text)
  elseif s then
    hint = i18n.tr("Lua has no keyword arguments: write `%s`", "Lua 没有关键字参数：写成 `%s`", s.text)
  else
    hint = i18n.tr("Lua has no keyword arguments: put them in a table, the last argument: "
                   .. "`nn.GRU(64, {return_sequences = true})`",
                   "Lua 没有关键字参数：把它们放进一个表，作为最后一个参数："
                   .. "`nn.GRU(64, {return_sequences = true})`")
  end
  return msg .. "\n" .. hint
end

-- ---- top-level locals at the prompt -------------------------------------------

-- The prompt runs each chunk on its own, so a `local` of one chunk is gone
-- in the next. code (a chunk that loads) with every `local` statement at
-- its top level (not inside a function or a block) turned into a global
-- assignment, as a pasted script expects:
--   local a, b = f()     ->  a, b = f()
--   local x <const> = 1  ->  x = 1
--   local y              ->  y = nil
--   local function g()   ->  function g()
-- `local x <close>` keeps its meaning (closed at the end of the chunk) and
-- is left alone. Only the word `local` and attributes are removed and
-- ` = nil` inserted, so every line keeps its number. Returns nil when
-- nothing changed.
function H.toplevel_locals(code)
  local toks = H.lex(code)
  local edits = {}
  local depth, i = 0, 1
  while i <= #toks do
    local tk = toks[i]
    if tk.t == "kw" and opens_block[tk.v] then
      depth = depth + 1
    elseif tk.t == "kw" and closes_block[tk.v] then
      depth = depth - 1
    elseif tk.t == "kw" and tk.v == "local" and depth == 0 then
      local nxt = toks[i + 1]
      if nxt and nxt.t == "kw" and nxt.v == "function" then
        edits[#edits + 1] = { s = tk.s, e = tk.e, text = "" }
      elseif nxt and nxt.t == "name" then
        local mine, closes, j = { { s = tk.s, e = tk.e, text = "" } }, false, i + 1
        local last_name
        while toks[j] and toks[j].t == "name" do
          last_name = toks[j]
          j = j + 1
          local lt, attr, gt = toks[j], toks[j + 1], toks[j + 2]
          if lt and lt.t == "op" and lt.v == "<" and attr and gt and gt.v == ">" then
            if attr.v == "close" then closes = true end
            for _, a in ipairs { lt, attr, gt } do mine[#mine + 1] = { s = a.s, e = a.e, text = "" } end
            last_name = gt
            j = j + 3
          end
          if toks[j] and toks[j].t == "op" and toks[j].v == "," then j = j + 1 else break end
        end
        if not closes then
          if not (toks[j] and toks[j].t == "op" and toks[j].v == "=") then
            mine[#mine + 1] = { s = last_name.e + 1, e = last_name.e, text = " = nil" }
          end
          for _, ed in ipairs(mine) do edits[#edits + 1] = ed end
        end
        i = j - 1
      end
    end
    i = i + 1
  end
  if #edits == 0 then return nil end
  return apply(code, edits)
end

return H
