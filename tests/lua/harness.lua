-- harness.lua - a tiny test runner for the Lua tests, run by attnlab itself.
--   local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")
--   t.test("name", function() t.eq(1 + 1, 2) end)
--   t.done()
-- Prints "ok"/"FAIL" per test, then "# passed: N" and "# failed: N", and
-- exits non-zero when any test failed.
local H = { passed = 0, failed = 0 }

local function fmt(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function H.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    H.passed = H.passed + 1
    print("ok - " .. name)
  else
    H.failed = H.failed + 1
    print("FAIL - " .. name .. "\n" .. tostring(err))
  end
end

function H.eq(got, want, what)
  if got ~= want then
    error(string.format("%sgot %s, want %s", what and (what .. ": ") or "",
                        fmt(got), fmt(want)), 2)
  end
end

function H.truthy(v, what)
  if not v then error((what or "expected a true value"), 2) end
end

-- |got - want| <= tol, elementwise for (nested) tables or tensors
function H.near(got, want, tol, what)
  tol = tol or 1e-6
  if type(got) == "userdata" then got = got:totable() end
  if type(want) == "userdata" then want = want:totable() end
  local function walk(g, w, path)
    if type(w) == "table" then
      if type(g) ~= "table" or #g ~= #w then
        error(string.format("%s%s: got %s, want a table of %d",
                            what and (what .. ": ") or "", path, fmt(g), #w), 4)
      end
      for i = 1, #w do walk(g[i], w[i], path .. "[" .. i .. "]") end
    elseif type(g) ~= "number" or not (math.abs(g - w) <= tol) then
      error(string.format("%s%s: got %s, want %s (tol %g)",
                          what and (what .. ": ") or "", path, fmt(g), fmt(w),
                          tol), 4)
    end
  end
  walk(got, want, "value")
end

-- fn() must raise an error whose message contains `want` (plain text).
function H.raises(fn, want)
  local ok, err = pcall(fn)
  if ok then error("expected an error containing " .. fmt(want), 2) end
  err = tostring(err)
  if not err:find(want, 1, true) then
    error(string.format("error %s does not contain %s", fmt(err), fmt(want)), 2)
  end
  return err
end

-- The values of a (nested) table or a tensor, in row-major order.
function H.flatten(v, out)
  out = out or {}
  if type(v) == "userdata" then v = v:totable() end
  if type(v) == "table" then
    for i = 1, #v do H.flatten(v[i], out) end
  else
    out[#out + 1] = v
  end
  return out
end

-- Errors of tensor got against the reference want (a nested table or a
-- number), for the PyTorch-fixture tests:
--   normwise     max|got - want| / max|want|  (NaN makes it NaN)
--   elementwise  max |got - want| / max(|want|, 1% of max|want|)
function H.relative_errors(got, want, what)
  if got == nil then error((what or "value") .. ": no value", 2) end
  local g = H.flatten(got)
  local w = type(want) == "table" and H.flatten(want) or { want }
  if #g ~= #w then
    error(string.format("%s: %d elements, want %d", what or "value", #g, #w), 2)
  end
  local scale, diff = 0, 0
  for i = 1, #w do
    scale = math.max(scale, math.abs(w[i]))
    local d = math.abs(g[i] - w[i])
    if not (d <= diff) then diff = d end -- NaN sticks
  end
  local floor = math.max(1e-2 * scale, 1e-30)
  local elementwise = 0
  for i = 1, #w do
    local e = math.abs(g[i] - w[i]) / math.max(math.abs(w[i]), floor)
    if not (e <= elementwise) then elementwise = e end
  end
  return diff / math.max(scale, 1e-30), elementwise
end

-- The places where Chinese text uses ASCII punctuation: an ideograph
-- next to one of , . : ; ? ! ( ) (GLOSSARY.zh.md: full-width ，。：；？！（）
-- in Chinese sentences, half-width inside code, numbers and shapes).
-- Text inside `code` spans and tuples such as (批量, 时间步) (shapes, which
-- keep half-width commas) is skipped. Returns a list of excerpts.
function H.chinese_punctuation_problems(s)
  local problems = {}
  s = s:gsub("`[^`\n]*`", " ")
  -- a shape written with words is still a shape: (批量, 时间步, 特征)
  s = s:gsub("%(([^()\n]*)%)", function(inner)
    if inner:find(", ", 1, true) and not inner:find("[\239][\188][\140\154\155]")
       and not inner:find("\227\128\130", 1, true) then
      return " "
    end
  end)
  local ideograph = "[\228-\233][\128-\191][\128-\191]"
  for _, pat in ipairs { ideograph .. "[,.:;?!()]", "[,:;?!()]" .. ideograph } do
    for hit in s:gmatch(pat) do
      local cp = utf8.codepoint(hit, hit:find("[\228-\233]"))
      if cp >= 0x4E00 and cp <= 0x9FFF then problems[#problems + 1] = hit end
    end
  end
  return problems
end

-- true when s has at least one CJK ideograph
function H.has_chinese(s)
  for _, cp in utf8.codes(s) do
    if cp >= 0x4E00 and cp <= 0x9FFF then return true end
  end
  return false
end

-- runs fn with the prompt's output (R.out of attnlab.repl) captured;
-- returns the text
function H.capture(fn, ...)
  local R = require "attnlab.repl"
  local buf = {}
  local old = R.out
  R.out = function(s) buf[#buf + 1] = s end
  local ok, err = pcall(fn, ...)
  R.out = old
  if not ok then error(err, 0) end
  return table.concat(buf)
end

function H.done()
  print("# passed: " .. H.passed)
  print("# failed: " .. H.failed)
  os.exit(H.failed == 0 and 0 or 1)
end

return H
