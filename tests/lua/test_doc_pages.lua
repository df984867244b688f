-- test_doc_pages.lua - every ```lua block of the documentation runs as is.
--
-- The pages are README.md, README.zh.md and docs/*.md. The ```lua blocks of
-- one page run in order, in one fresh attnlab process, in a temporary folder
-- (so the pictures a page writes land there), each block as if pasted at
-- the prompt (attnlab.repl's hooks and run_lines, the runner lessons use):
-- globals made by a block stay for the next ones, and so do its top-level
-- `local`s, and the first error stops the page. A failure names the
-- page, the block number and the line of the block in the page, and prints
-- the block as the prompt echoes it, with its output and its error. Blocks
-- fenced otherwise (```sh, ```text, ```python) are not run. Each page X.md
-- must have a Chinese twin X.zh.md, each linking to the other near its top.
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")

local function absolute(p)
  if p:sub(1, 1) == "/" then return p end
  return (os.getenv("PWD") or ".") .. "/" .. p
end

local tests_dir = absolute(os.getenv("ATTNLAB_TESTDIR") or (dir .. "/.."))
local root = tests_dir .. "/.."
local exe = absolute(os.getenv("ATTNLAB") or arg[-1])

-- Blocks that are sketches, not code that runs as is, each found by its
-- first line (so an edit elsewhere in the page does not shift the list).
-- Every entry must still match a block: a stale entry fails the test.
local SKIP = {
  ["README.md"] = {
    -- "Models and training": a summary of the calls, with inputs, outputs,
    -- x, y, x_test and y_test left to the reader (docs/getting-started.md
    -- and docs/keras.md run the same calls on real models).
    "model = nn.Model(inputs, outputs)          -- or nn.Sequential{nn.Input{20}, ...}",
    -- "Seeing attention": the options of viz.*, with layer, info, m and
    -- {...} left to the reader (docs/heatmaps.md runs them).
    "viz.attention(layer, {sample = 0, tokens = info.tokens, ids = x_test,",
  },
  ["README.zh.md"] = { -- the same two sketches in Chinese
    "model = nn.Model(inputs, outputs)          -- 或 nn.Sequential{nn.Input{20}, ...}",
    "viz.attention(layer, {sample = 0, tokens = info.tokens, ids = x_test,",
  },
}

-- ---- reading pages ---------------------------------------------------------

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function ls(folder)
  local p = io.popen("ls -1 '" .. folder .. "' 2>/dev/null")
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  table.sort(names)
  return names
end

-- The fenced blocks of a markdown text: { {lang=, line=, code=}, ... }.
-- A fence is ``` (up to three spaces of indent, as CommonMark allows, or
-- more inside a list) followed by the info string; the block's lines lose
-- the fence's indentation. An unclosed fence is an error.
local function blocks_of(text, page)
  local out, cur = {}, nil
  local n = 0
  for line in (text:gsub("\r\n", "\n") .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if cur then
      local indent = line:match("^(%s*)```%s*$")
      if indent and #indent <= #cur.indent then
        cur.code = table.concat(cur.lines, "\n")
        out[#out + 1] = cur
        cur = nil
      else
        if line:sub(1, #cur.indent) == cur.indent then line = line:sub(#cur.indent + 1) end
        cur.lines[#cur.lines + 1] = line
      end
    else
      local indent, info = line:match("^(%s*)```%s*([^`%s]*)")
      if indent then cur = { lang = info, line = n, indent = indent, lines = {} } end
    end
  end
  if cur then error(string.format("%s: the ``` fence opened at line %d is never closed", page, cur.line)) end
  return out
end

-- The ```lua blocks of a page, numbered 1, 2, ... in the page's order,
-- with skipped ones marked.
local function lua_blocks(page, text)
  local skip = {}
  for _, first in ipairs(SKIP[page] or {}) do skip[first] = false end
  local list = {}
  for _, b in ipairs(blocks_of(text, page)) do
    if b.lang == "lua" then
      b.n = #list + 1
      local first = b.code:match("^[^\n]*")
      if skip[first] ~= nil then
        b.skip = true
        skip[first] = true
      end
      list[#list + 1] = b
    end
  end
  local stale = {}
  for first, used in pairs(skip) do
    if not used then stale[#stale + 1] = first end
  end
  return list, stale
end

-- ---- running a page ------------------------------------------------------------

local DRIVER = [[
local R = require "attnlab.repl"
R.install_hooks() -- what the prompt does first: layers show their shapes
local page, blocks = %q, {
%s}
for _, b in ipairs(blocks) do
  io.write(string.format("\n@@ %%s block %%d (line %%d)\n", page, b[1], b[2]))
  io.flush()
  local ok = R.run_lines(b[3], true) -- echo: the report shows the failing lines
  io.flush()
  if not ok then
    io.write(string.format("\n@@FAILED %%s block %%d (line %%d)\n", page, b[1], b[2]))
    os.exit(1)
  end
end
io.write("\n@@DONE\n")
]]

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Runs the blocks (not skipped) of a page in a fresh attnlab in a new
-- temporary folder. Returns ok, the output, and the folder's file names.
local function run_page(page, blocks)
  local tmp = os.tmpname()
  os.remove(tmp)
  assert(os.execute("mkdir " .. shell_quote(tmp)))
  local entries = {}
  for _, b in ipairs(blocks) do
    if not b.skip then
      entries[#entries + 1] = string.format("  { %d, %d, %q },\n", b.n, b.line, b.code)
    end
  end
  local driver = tmp .. "/.doc_blocks.lua"
  local f = assert(io.open(driver, "w"))
  f:write(string.format(DRIVER, page, table.concat(entries)))
  f:close()
  local p = io.popen(string.format("cd %s && %s %s 2>&1; echo \"@@exit=$?\"", shell_quote(tmp),
                                   shell_quote(exe), shell_quote(driver)))
  local out = p:read("a")
  p:close()
  os.remove(driver)
  local files = ls(tmp)
  os.execute("rm -rf " .. shell_quote(tmp))
  local ok = out:find("\n@@DONE\n@@exit=0\n", 1, true) ~= nil
  return ok, out, files
end

-- The part of the output that belongs to the failing block, for the message.
local function failure_report(page, out)
  local last = 1
  for pos in out:gmatch("()\n@@ [^\n]* block %d+ %(line %d+%)\n") do last = pos end
  local part = out:sub(last)
  if #part > 6000 then part = "...\n" .. part:sub(-6000) end
  local where = out:match("@@FAILED ([^\n]*)")
  return string.format("%s: %s\n%s", page, where and ("failed at " .. where) or
                       "the process did not finish its blocks", part)
end

-- ---- the machinery itself can fail ------------------------------------------------

t.test("blocks are read from their fences, other languages left alone", function()
  local text = table.concat({
    "# page", "```lua", "a = 1", "```", "```python", "b = 2", "```",
    "- a list item", "  ```lua", "  c = a + 1", "  print(c)", "  ```", "```text", "out", "```",
    "```sh", "./attnlab", "```", "```lua", "```",
  }, "\n")
  local list = lua_blocks("page.md", text)
  t.eq(#list, 3, "number of lua blocks")
  t.eq(list[1].code, "a = 1")
  t.eq(list[1].line, 2, "line of block 1")
  t.eq(list[2].code, "c = a + 1\nprint(c)", "an indented block loses the fence's indent")
  t.eq(list[3].code, "", "an empty block")
  t.raises(function() blocks_of("```lua\nx = 1\n", "open.md") end,
           "open.md: the ``` fence opened at line 1 is never closed")
end)

t.test("a failing block is reported by page, number and line, with its error", function()
  local text = "intro\n```lua\nanswer = 41\n```\ntext\n```lua\nanswer = answer + 1\n" ..
               "print('answer', answer)\nnn.Dense(0)\n```\n```lua\nprint('never')\n```\n"
  local blocks = lua_blocks("demo.md", text)
  local ok, out = run_page("demo.md", blocks)
  t.eq(ok, false, "the page fails")
  t.truthy(out:find("answer\t42", 1, true), "block 2 ran after block 1, with its global:\n" .. out)
  t.truthy(out:find("@@FAILED demo.md block 2 (line 6)", 1, true), "names block 2:\n" .. out)
  t.truthy(out:find("Dense: units must be a positive integer, got 0", 1, true),
           "the error is shown:\n" .. out)
  t.truthy(not out:find("never", 1, true), "the page stops at the first error:\n" .. out)
  local report = failure_report("demo.md", out)
  t.truthy(report:find("^demo.md: failed at demo.md block 2 %(line 6%)"), report)
  t.truthy(not report:find("@@ demo.md block 1", 1, true), "the report shows only block 2:\n" .. report)
end)

t.test("a page runs in a folder of its own, where its pictures land", function()
  local text = "```lua\nassert(viz.heatmap({{0, 1}, {1, 0}}, {file = 'demo.png'}))\n```\n"
  local ok, out, files = run_page("demo.md", lua_blocks("demo.md", text))
  t.eq(ok, true, "the page runs:\n" .. out)
  t.eq(table.concat(files, " "), "demo.png", "the files left in the page's folder")
  local here = io.open("demo.png", "rb")
  if here then here:close() end
  t.truthy(not here, "the picture is not written in the current folder")
end)

t.test("a skip entry that matches no block is reported", function()
  SKIP["demo.md"] = { "no such line" }
  local _, stale = lua_blocks("demo.md", "```lua\nx = 1\n```\n")
  SKIP["demo.md"] = nil
  t.eq(#stale, 1)
  t.eq(stale[1], "no such line")
end)

-- ---- the pages --------------------------------------------------------------------

local pages = { "README.md", "README.zh.md" }
for _, name in ipairs(ls(root .. "/docs")) do
  if name:match("%.md$") then pages[#pages + 1] = "docs/" .. name end
end

t.test("the documentation pages are found", function()
  t.truthy(#pages >= 4, "expected README.md, README.zh.md and docs/*.md, found: " ..
           table.concat(pages, ", "))
end)

-- X.md and X.zh.md, each linking to the other in its first lines
local function head_links_to(text, target)
  local n = 0
  for line in (text .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if n > 6 then break end
    if line:find("](" .. target .. ")", 1, true) then return true end
  end
  return false
end

for _, page in ipairs(pages) do
  if not page:match("%.zh%.md$") then
    local twin = page:gsub("%.md$", ".zh.md")
    t.test(page .. " and " .. twin .. " exist and link to each other at the top", function()
      local en, zh = read(root .. "/" .. page), read(root .. "/" .. twin)
      t.truthy(zh, twin .. " is missing (every page has an English and a Chinese version)")
      local base = page:match("[^/]+$")
      t.truthy(head_links_to(en, twin:match("[^/]+$")), page .. " does not link to " .. twin .. " in its first lines")
      t.truthy(head_links_to(zh, base), twin .. " does not link to " .. base .. " in its first lines")
    end)
  end
end

-- Chinese pages use full-width punctuation in their sentences (fenced
-- blocks, code spans and shapes keep ASCII; GLOSSARY.zh.md)
for _, page in ipairs(pages) do
  if page:match("%.zh%.md$") then
    t.test(page .. ": Chinese sentences use full-width punctuation", function()
      local prose = (read(root .. "/" .. page) or ""):gsub("\n```.-\n```", "\n")
      local bad = t.chinese_punctuation_problems(prose)
      t.eq(#bad, 0, page .. ": ASCII punctuation next to Chinese: " .. table.concat(bad, " | "))
    end)
  end
end

for _, page in ipairs(pages) do
  local text = read(root .. "/" .. page)
  local ok_parse, blocks, stale = pcall(lua_blocks, page, text or "")
  local n = ok_parse and #blocks or 0
  t.test(string.format("%s: its %d lua block%s in order", page, n, n == 1 and " runs" or "s run"), function()
    t.truthy(text, page .. " cannot be read")
    if not ok_parse then error(blocks, 0) end
    t.eq(#stale, 0, page .. ": skip entries that match no block: " .. table.concat(stale, " | "))
    local skipped = {}
    for _, b in ipairs(blocks) do
      if b.skip then skipped[#skipped + 1] = string.format("%d (line %d)", b.n, b.line) end
    end
    if #skipped > 0 then print("# " .. page .. ": skipping sketch block " .. table.concat(skipped, ", ")) end
    if #skipped == n then return end
    local ok, out = run_page(page, blocks)
    if not ok then error(failure_report(page, out), 0) end
  end)
end

-- docs/keras.md promises a row for every public name: each key of the
-- modules below must appear in it as module.name (tensor functions also as
-- a method, x:name), and likewise in keras.zh.md.
t.test("docs/keras.md and keras.zh.md name everything attnlab has", function()
  local modules = {
    { "nn.", nn }, { "tensor.", tensor, "x:" }, { "nn.losses.", nn.losses },
    { "nn.optimizers.", nn.optimizers }, { "nn.metrics.", nn.metrics }, { "viz.", viz },
    { "data.", data },
  }
  for _, page in ipairs { "docs/keras.md", "docs/keras.zh.md" } do
    local text = read(root .. "/" .. page) or ""
    local missing = {}
    for _, m in ipairs(modules) do
      for k in pairs(m[2]) do
        if type(k) == "string" and not text:find(m[1] .. k, 1, true)
           and not (m[3] and text:find(m[3] .. k, 1, true)) then
          missing[#missing + 1] = m[1] .. k
        end
      end
    end
    for _, lib in ipairs { { "activations", nn.activations }, { "initializers", nn.initializers } } do
      for k in pairs(lib[2]) do
        if not text:find("`" .. k .. "`", 1, true) and not text:find("." .. k, 1, true) then
          missing[#missing + 1] = "nn." .. lib[1] .. "." .. k
        end
      end
    end
    table.sort(missing)
    t.eq(table.concat(missing, ", "), "", page .. ": names without a row")
  end
end)

t.done()
