-- attnlab.lesson: what a lesson is, and how it runs as a script.
--
-- A lesson is a file in lua/lessons/ named NN_topic.lua that returns
--
--   local lesson = require "attnlab.lesson"
--   return lesson.define {
--     title = "Time-step attention", title_zh = "时间步注意力",
--     intro = "...", intro_zh = "...",          -- optional, before step 1
--     params = { epochs = { 8, 2 } },           -- optional: { full, fast }
--     steps = {
--       { text = "...", text_zh = "...",        -- what the step is about
--         code = "x = tensor.ones(2, 3)\nx.shape",  -- runs as if typed
--         notice = "...", notice_zh = "...",    -- what to look at
--         check = function() lesson.shape(x, "(2, 3)") end },  -- the claim
--     },
--   }
--
-- `$name` in code is replaced by params.name: its first value normally,
-- its second under ATTNLAB_FAST=1 (the tests' fast mode), so the code a
-- learner reads is the code that runs. A step's check turns what its
-- notice claims into assertions; scripts and tests run it, the prompt
-- does not (the learner may have changed the variables).
--
-- Run as a script (attnlab lua/lessons/05_time_attention.lua), a lesson
-- prints every step, runs it and checks it; an error or a failed check
-- stops it with a message naming the step. At the prompt, `:lesson 5`
-- runs it step by step (attnlab.repl).
local i18n = require "attnlab.i18n"

local L = {}

-- true while the prompt or a test loads a lesson to read its steps
L.loading = false

function L.fast()
  local v = os.getenv("ATTNLAB_FAST")
  return v ~= nil and v ~= "" and v ~= "0"
end

local function check_lesson(t)
  if type(t) ~= "table" or type(t.steps) ~= "table" or #t.steps == 0 then
    error("lesson.define: expected a table with a list of steps", 3)
  end
  for i, s in ipairs(t.steps) do
    if type(s) ~= "table" then error("lesson.define: step " .. i .. " is not a table", 3) end
    for _, k in ipairs { "text", "text_zh", "code", "notice", "notice_zh" } do
      if s[k] ~= nil and type(s[k]) ~= "string" then
        error(string.format("lesson.define: step %d: %s must be a string", i, k), 3)
      end
    end
    if s.check ~= nil and type(s.check) ~= "function" then
      error(string.format("lesson.define: step %d: check must be a function", i), 3)
    end
  end
end

-- The code of step i with its $params filled in.
function L.code(t, step)
  if not step.code then return nil end
  local fast = L.fast()
  return (step.code:gsub("%$([%a_][%w_]*)", function(name)
    local p = t.params and t.params[name]
    if p == nil then error("lesson: unknown parameter $" .. name, 0) end
    if type(p) == "table" then p = fast and p[2] or p[1] end
    return tostring(p)
  end))
end

-- ---- claims ---------------------------------------------------------------

local function fail(msg) error(msg, 3) end

-- shape(x, "(2, 64, 128)"): x's shape prints as that
function L.shape(x, want)
  local got = x and x.shape and tostring(x.shape) or tostring(x)
  if got ~= want then fail(string.format("expected shape %s, got %s", want, got)) end
end

-- the numbers of a number, a (nested) table or a tensor, as one flat list
local function values(x)
  local flat = {}
  local function walk(v)
    if type(v) == "table" then for _, e in ipairs(v) do walk(e) end else flat[#flat + 1] = v end
  end
  if type(x) == "table" or type(x) == "number" then walk(x) else walk(x:totable()) end
  return flat
end

L.values = values

-- all(x, pred): pred holds for every number of x (a tensor or a table)
function L.all(x, pred)
  for _, v in ipairs(values(x)) do
    if not pred(v) then return false end
  end
  return true
end

-- The largest |a - b| over the elements of two tensors (or numbers).
function L.maxdiff(a, b)
  local va, vb = values(a), values(b)
  if #va ~= #vb then fail(string.format("expected %d values, got %d", #vb, #va)) end
  local m = 0
  for i = 1, #va do
    local d = math.abs(va[i] - vb[i])
    if d ~= d then return math.huge end
    if d > m then m = d end
  end
  return m
end

-- close(a, b [, tol]): every element within tol (1e-5) of the other
function L.close(a, b, tol, what)
  tol = tol or 1e-5
  local d = L.maxdiff(a, b)
  if not (d <= tol) then
    fail(string.format("%sexpected equal values, the largest difference is %.3g (tolerance %g)",
                       what and (what .. ": ") or "", d, tol))
  end
end

-- expect(cond, msg): a claim that is not a shape or a number
function L.expect(cond, msg)
  if not cond then fail(msg or "a claim of this step does not hold") end
end

-- ---- running as a script ----------------------------------------------------

-- where a lesson's text goes (the prompt points it at its own output)
L.out = io.write
local function say(s) L.out(s); L.out("\n") end

-- Text as written, line by line; a line wider than the terminal's 78
-- columns (a CJK character takes 2) is wrapped.
local util = require "attnlab.util"
L.width = 78
local function block(s, prefix)
  if not s then return end
  for line in (s .. "\n"):gmatch("(.-)\n") do
    if util.display_width(prefix .. line) > L.width then
      say(util.wrap(line, L.width, prefix))
    else
      say(prefix .. line)
    end
  end
end

-- Prints step i of lesson t (text and code), as the script and the
-- prompt both show it. paint(code, s) colours when given.
function L.show_step(t, i, paint, without_code)
  paint = paint or function(_, s) return s end
  local step = t.steps[i]
  say("")
  say(paint("35", i18n.tr("-- step %d/%d", "-- 第 %d/%d 步", i, #t.steps)))
  block(i18n.field(step, "text"), "")
  local code = L.code(t, step)
  if code and not without_code then
    -- a preview: the prompt echoes each line as it runs it, next to its result
    say("")
    for l in (code .. "\n"):gmatch("(.-)\n") do say(paint("2", "    " .. l)) end
  end
end

function L.show_notice(step, paint)
  paint = paint or function(_, s) return s end
  local n = i18n.field(step, "notice")
  if n then say(""); block(n, paint("36", "> ")) end
end

function L.header(t, n, paint)
  paint = paint or function(_, s) return s end
  local title = i18n.field(t, "title") or ""
  if n then
    say(paint("1", i18n.tr("Lesson %d: %s", "第 %d 课：%s", n, title)))
  else
    say(paint("1", title))
  end
  local intro = i18n.field(t, "intro")
  if intro then say(""); block(intro, "") end
end

-- Runs the check of step i; on failure raises "lesson N, step i: ...".
function L.run_check(t, i, n)
  local step = t.steps[i]
  if not step.check then return end
  local ok, err = pcall(step.check)
  if not ok then
    error(string.format("lesson %s, step %d: the step's claim does not hold: %s",
                        tostring(n or "?"), i, tostring(err)), 0)
  end
end

-- the lesson's number from its file name (05_time_attention.lua -> 5)
local function number_of(source)
  local n = type(source) == "string" and source:match("(%d+)[_%-][^/]*%.lua$")
  return n and tonumber(n) or nil
end

function L.run_script(t, n)
  local R = require "attnlab.repl"
  R.install_hooks() -- as at the prompt: model:summary() prints its table once
  L.header(t, n)
  for i, step in ipairs(t.steps) do
    L.show_step(t, i, nil, true)
    local code = L.code(t, step)
    if code then say("") end
    if code and not R.run_lines(code, true) then
      error(string.format("lesson %s, step %d failed (the error is above)", tostring(n or "?"), i), 0)
    end
    L.show_notice(step)
    L.run_check(t, i, n)
  end
  say("")
  say(i18n.tr("End of the lesson.", "本课结束。"))
  return t
end

-- lesson.define(t): t itself while a runner loads the lesson; run as a
-- script otherwise.
function L.define(t)
  check_lesson(t)
  if L.loading then return t end
  -- `return lesson.define{...}` is a tail call: the script's name is arg[0]
  return L.run_script(t, number_of(rawget(_G, "arg") and _G.arg[0]))
end

-- Loads a lesson file without running it.
function L.load(file)
  local chunk, err = loadfile(file)
  if not chunk then error(err, 0) end
  local was = L.loading
  L.loading = true
  local ok, t = pcall(chunk)
  L.loading = was
  if not ok then error("lesson " .. file .. ": " .. tostring(t), 0) end
  if type(t) ~= "table" or type(t.steps) ~= "table" then
    error("lesson " .. file .. ": expected lesson.define{...} with steps", 0)
  end
  t.number = t.number or number_of(file)
  return t
end

return L
