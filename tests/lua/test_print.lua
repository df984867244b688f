-- test_print.lua - tensors print as NumPy prints float32 arrays: the same
-- digits, scientific notation when NumPy chooses it, rows wrapped to the
-- line width, "..." summaries of large tensors. The expected strings were
-- printed by NumPy itself (tests/ref/make_print_ref.py -> print_ref.lua).
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local ref = dofile(dir .. "/../ref/print_ref.lua")
local exe = os.getenv("ATTNLAB") or arg[-1]

local defaults = { precision = 4, linewidth = 80, threshold = 1000, edgeitems = 3, suppress = false }

-- the values of a case: stored, or ((i * mul) % mod - sub) / div
local function values_of(c)
  if c.values then return c.values end
  local n = 1
  for _, d in ipairs(c.shape) do n = n * d end
  local g, v = c.gen, {}
  for i = 0, n - 1 do v[i + 1] = ((i * g.mul) % g.mod - g.sub) / g.div end
  return v
end

-- the text tostring(x) prints below the shape line
local function values_text(x)
  return (tostring(x):match("^[^\n]*\n(.*)$"))
end

for _, c in ipairs(ref.cases) do
  t.test("prints as NumPy does: " .. c.name, function()
    local opts = {}
    for k, v in pairs(defaults) do opts[k] = v end
    for k, v in pairs(c.options) do opts[k] = v end
    tensor.set_printoptions(opts)
    local x = tensor.from(values_of(c)):reshape(table.unpack(c.shape))
    local got = values_text(x)
    tensor.set_printoptions(defaults)
    tensor.set_printoptions { linewidth = "auto" }
    t.eq(got, c.want)
  end)
end

t.test("a 0-d tensor prints as NumPy prints a float32 scalar", function()
  for _, s in ipairs(ref.scalars) do
    local x = tensor.from { s[1] }:reshape()
    t.eq(x.ndim, 0)
    t.eq(values_text(x), s[2], string.format("%a", s[1]))
  end
end)

t.test("no line of a (3, 40) tensor is longer than 80 characters", function()
  nn.seed(3)
  local text = tostring(tensor.randn(3, 40))
  local longest = 0
  for line in text:gmatch("[^\n]+") do longest = math.max(longest, #line) end
  t.truthy(longest <= 80 and longest > 60, "longest line " .. longest .. ":\n" .. text)
end)

-- a script printing a wide tensor, run with COLUMNS set or not
local function run_with_columns(columns)
  local script = os.tmpname()
  local f = io.open(script, "w")
  f:write("print(tensor.arange(40) / 3)\n")
  f:close()
  local env = columns and ("COLUMNS=" .. columns) or "env -u COLUMNS"
  local p = io.popen(string.format("%s '%s' '%s' 2>&1", env, exe, script))
  local out = p:read("a")
  p:close()
  os.remove(script)
  local longest = 0
  for line in out:gmatch("[^\n]+") do longest = math.max(longest, #line) end
  return longest, out
end

t.test("rows wrap to COLUMNS (the prompt's terminal width), and to 80 without it", function()
  local longest, out = run_with_columns(nil)
  t.truthy(longest <= 80 and longest > 70, "without COLUMNS: longest line " .. longest .. ":\n" .. out)
  longest, out = run_with_columns(50)
  t.truthy(longest <= 50 and longest > 40, "COLUMNS=50: longest line " .. longest .. ":\n" .. out)
  longest, out = run_with_columns(200)
  t.truthy(longest > 80, "COLUMNS=200: longest line " .. longest .. ":\n" .. out)
end)

t.test("tensor.set_printoptions sets what it is given and get_printoptions reads it back", function()
  local before = tensor.get_printoptions()
  t.eq(before.precision, 4)
  t.eq(before.linewidth, "auto")
  t.eq(before.threshold, 1000)
  t.eq(before.edgeitems, 3)
  t.eq(before.suppress, false)
  tensor.set_printoptions { precision = 2 }
  local now = tensor.get_printoptions()
  t.eq(now.precision, 2)
  t.eq(now.edgeitems, 3, "options not given stay")
  t.eq(values_text(tensor.from { 1 / 3, 2 / 3 }), "[0.33 0.67]")
  tensor.set_printoptions { threshold = math.huge, linewidth = 30 }
  t.eq(tensor.get_printoptions().threshold, math.huge)
  local text = values_text(tensor.arange(2000))
  t.truthy(not text:find("...", 1, true), "threshold = math.huge prints everything")
  tensor.set_printoptions { precision = 4, threshold = 1000, linewidth = "auto" }
  t.eq(tensor.get_printoptions().linewidth, "auto")
  t.eq(values_text(tensor.arange(2000)), "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]")
end)

t.test("tensor.set_printoptions rejects what it cannot use, naming the option", function()
  t.raises(function() tensor.set_printoptions { precison = 2 } end,
           "tensor.set_printoptions: unknown option 'precison' (known: edgeitems, linewidth, precision, suppress, threshold)")
  t.raises(function() tensor.set_printoptions { precision = 2.5 } end,
           "tensor.set_printoptions: precision must be an integer from 0 to 30, got 2.5")
  t.raises(function() tensor.set_printoptions { precision = 31 } end,
           "tensor.set_printoptions: precision must be an integer from 0 to 30, got 31")
  t.raises(function() tensor.set_printoptions { linewidth = 0 } end,
           "tensor.set_printoptions: linewidth must be a positive integer or \"auto\" (the terminal's width), got 0")
  t.raises(function() tensor.set_printoptions { edgeitems = 0 } end,
           "tensor.set_printoptions: edgeitems must be a positive integer, got 0")
  t.raises(function() tensor.set_printoptions { threshold = -1 } end,
           "tensor.set_printoptions: threshold must be a non-negative integer or math.huge, got -1")
  t.raises(function() tensor.set_printoptions { suppress = 1 } end,
           "tensor.set_printoptions: suppress must be true or false, got 1")
  t.raises(function() tensor.set_printoptions(5) end,
           "tensor.set_printoptions: options must be a table, got number")
  local o = tensor.get_printoptions()
  t.eq(o.precision, 4, "a rejected call changes nothing")
end)

t.done()
