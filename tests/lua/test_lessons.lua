-- test_lessons.lua - every lesson in lua/lessons/ is complete in both
-- languages and runs as a script, in English and in Chinese, to its end:
-- every step's code runs and every step's check (the claims its text
-- makes about shapes, numbers and pictures) holds. The Makefile runs the
-- tests with ATTNLAB_FAST=1, so lessons use their fast parameters.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")
local lesson = require "attnlab.lesson"
local exe = os.getenv("ATTNLAB") or arg[-1]
local root = (os.getenv("ATTNLAB_TESTDIR") or (arg[0]:match("^(.*)/lua/") or "tests")) .. "/.."
local dir = root .. "/lua/lessons"

local function ls(d)
  local p = io.popen("ls '" .. d .. "'")
  local names = {}
  for n in p:lines() do names[#names + 1] = n end
  p:close()
  return names
end

local files = {}
for _, n in ipairs(ls(dir)) do
  if n:match("^%d%d_.*%.lua$") then files[#files + 1] = n end
end
table.sort(files)

t.test("the course has eleven lessons, numbered 1 to 11", function()
  t.eq(#files, 11, "lessons in " .. dir .. ": " .. table.concat(files, " "))
  for i, f in ipairs(files) do t.eq(tonumber(f:match("^(%d+)")), i, f) end
end)

local function check_zh(where, s)
  t.truthy(t.has_chinese(s), where .. ": no Chinese in " .. s)
  local bad = t.chinese_punctuation_problems(s)
  t.eq(#bad, 0, where .. ": ASCII punctuation in Chinese text (" .. table.concat(bad, " | ")
       .. ") in: " .. s)
end

for _, f in ipairs(files) do
  t.test(f .. ": every step has its text and notice in English and Chinese", function()
    local les = lesson.load(dir .. "/" .. f)
    t.truthy(type(les.title) == "string" and les.title ~= "", f .. ": title")
    check_zh(f .. " title_zh", les.title_zh or "")
    if les.intro then check_zh(f .. " intro_zh", les.intro_zh or "") end
    t.truthy(#les.steps >= 4, f .. ": at least 4 steps")
    for i, s in ipairs(les.steps) do
      local where = f .. " step " .. i
      t.truthy(type(s.text) == "string" and s.text ~= "", where .. ": text")
      check_zh(where .. " text_zh", s.text_zh or "")
      if s.notice then check_zh(where .. " notice_zh", s.notice_zh or "") end
      t.truthy(s.code == nil or s.notice ~= nil, where .. ": code without a notice of what to look at")
    end
  end)
end

-- Runs a lesson as a learner would, in a fresh folder (for its pictures).
local function run(f, lang)
  local tmp = os.tmpname()
  os.remove(tmp)
  assert(os.execute("mkdir '" .. tmp .. "'"))
  local cmd = string.format("cd '%s' && ATTNLAB_LANG=%s '%s' '%s/%s' 2>&1; echo \"exit=$?\"",
                            tmp, lang, exe, dir, f)
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  local pictures = {}
  for _, n in ipairs(ls(tmp)) do
    local fh = io.open(tmp .. "/" .. n, "rb")
    pictures[n] = fh and fh:read(8)
    if fh then fh:close() end
    os.remove(tmp .. "/" .. n)
  end
  os.remove(tmp)
  return out, pictures
end

for _, f in ipairs(files) do
  for _, lang in ipairs { "en", "zh" } do
    t.test(f .. " runs as a script in " .. lang .. " and its claims hold", function()
      local les = lesson.load(dir .. "/" .. f)
      local n = tonumber(f:match("^(%d+)"))
      local out, pictures = run(f, lang)
      t.truthy(out:find("exit=0\n", 1, true), f .. " (" .. lang .. ") failed:\n" .. out)
      local head = lang == "zh" and string.format("第 %d 课：%s", n, les.title_zh)
                   or string.format("Lesson %d: %s", n, les.title)
      t.truthy(out:find(head, 1, true), f .. ": no heading " .. head)
      local last = lang == "zh" and string.format("第 %d/%d 步", #les.steps, #les.steps)
                   or string.format("step %d/%d", #les.steps, #les.steps)
      t.truthy(out:find(last, 1, true), f .. ": did not reach " .. last)
      t.truthy(out:find(lang == "zh" and "本课结束。" or "End of the lesson.", 1, true), out)
      t.truthy(not out:find("traceback", 1, true), f .. ":\n" .. out)
      local s = les.steps[1]
      local first = lang == "zh" and s.text_zh or s.text
      -- the first ten characters of the first step's text (long lines are wrapped)
      local line = first:match("^[^\n]*")
      local cut = utf8.offset(line, 11)
      t.truthy(out:find(cut and line:sub(1, cut - 1) or line, 1, true), f .. ": the text is not in " .. lang)
      -- every picture a lesson writes is a whole PNG, SVG, PDF or GIF
      for name, magic in pairs(pictures) do
        if name:match("%.png$") then t.eq(magic, "\137PNG\r\n\26\n", name) end
        if name:match("%.pdf$") then t.eq(magic:sub(1, 5), "%PDF-", name) end
        if name:match("%.gif$") then t.eq(magic:sub(1, 6), "GIF89a", name) end
      end
    end)
  end
end

-- The prompt's way: :lesson N, then Enter at every step (R.run_lesson with
-- auto, in a child process, as a fresh prompt would be).
for _, f in ipairs(files) do
  for _, lang in ipairs { "en", "zh" } do
    t.test(f .. " runs step by step at the prompt in " .. lang, function()
      local n = tonumber(f:match("^(%d+)"))
      local les = lesson.load(dir .. "/" .. f)
      local tmp = os.tmpname()
      os.remove(tmp)
      assert(os.execute("mkdir '" .. tmp .. "'"))
      local code = string.format("local R = require 'attnlab.repl'; R.start(); "
        .. "os.exit(R.run_lesson(%d, {auto = true}) and R.lesson_state == nil and 0 or 1)", n)
      local p = io.popen(string.format("cd '%s' && ATTNLAB_LANG=%s ATTNLAB_LESSONS='%s' '%s' -e \"%s\" 2>&1; echo \"exit=$?\"",
                                       tmp, lang, dir, exe, code))
      local out = p:read("a")
      p:close()
      os.execute("rm -rf '" .. tmp .. "'")
      t.truthy(out:find("exit=0\n", 1, true), f .. " at the prompt (" .. lang .. ") failed:\n" .. out)
      local last = lang == "zh" and string.format("第 %d/%d 步", #les.steps, #les.steps)
                   or string.format("step %d/%d", #les.steps, #les.steps)
      t.truthy(out:find(last, 1, true), f .. ": did not reach " .. last)
      t.truthy(not out:find("traceback", 1, true), f .. ":\n" .. out)
    end)
  end
end

t.done()
