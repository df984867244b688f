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

function H.done()
  print("# passed: " .. H.passed)
  print("# failed: " .. H.failed)
  os.exit(H.failed == 0 and 0 or 1)
end

return H
