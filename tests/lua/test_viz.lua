-- test_viz.lua - the `viz` global: heatmaps, the terminal preview, training
-- curves, attention and grids, through the learner's API. The pixels are
-- checked by tests/c/test_viz.c; here the files, sizes and errors.
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local exe = os.getenv("ATTNLAB") or arg[-1]

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p '" .. tmp .. "'")
local function path(name) return tmp .. "/" .. name end

local function read(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- width and height from a PNG's IHDR chunk
local function png_size(p)
  local s = read(p)
  t.truthy(s and s:sub(1, 8) == "\137PNG\r\n\26\n", p .. " is not a PNG")
  return string.unpack(">I4", s, 17), string.unpack(">I4", s, 21)
end

local function entries(d)
  local p = io.popen("ls -A '" .. d .. "'")
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  return names
end

local m = tensor.from{ { 0, 0.5, 1 }, { 0.25, 0.75, 0.1 } }

t.test("heatmap writes a PNG, an SVG and a PDF by extension", function()
  t.eq(viz.heatmap(m, { file = path("a.png"), title = "t" }), path("a.png"))
  local w, h = png_size(path("a.png"))
  t.truthy(w > 100 and h > 80, "size " .. w .. "x" .. h)
  t.eq(viz.heatmap(m, { file = path("a.svg") }), path("a.svg"))
  t.truthy(read(path("a.svg")):find("<svg", 1, true))
  t.eq(viz.heatmap(m, { file = path("a.PDF") }), path("a.PDF"))
  t.eq(read(path("a.PDF")):sub(1, 5), "%PDF-")
end)

t.test("the image size follows width, height and scale", function()
  viz.heatmap(m, { file = path("s.png"), width = 480, height = 320 })
  local w, h = png_size(path("s.png"))
  t.eq(w, 480); t.eq(h, 320)
  viz.heatmap(m, { file = path("n.png") })
  local w1, h1 = png_size(path("n.png"))
  viz.heatmap(m, { file = path("n2.png"), scale = 2 })
  local w2, h2 = png_size(path("n2.png"))
  t.truthy(math.abs(w2 - 2 * w1) <= 2 and math.abs(h2 - 2 * h1) <= 2,
           string.format("%dx%d then %dx%d", w1, h1, w2, h2))
end)

t.test("nested tables, 3-D with sample= and 4-D with head=", function()
  t.eq(viz.heatmap({ { 1, 2 }, { 3, 4 } }, { file = path("t.png") }), path("t.png"))
  local x = tensor.rand(3, 4, 5)
  t.truthy(viz.heatmap(x, { file = path("s3.png"), sample = 2 }))
  t.truthy(viz.heatmap(tensor.rand(2, 3, 4, 4), { file = path("s4.png"), sample = 1, head = -1 }))
  t.eq(viz.last_info.cell_w > 0, true)
end)

t.test("labels in UTF-8, annotations, colormaps and a colorbar label", function()
  t.truthy(viz.heatmap(m, { file = path("l.pdf"), xlabels = { "我", "爱", "北京" },
                            ylabels = { "q0", "q1" }, annotate = true, fmt = ".1f",
                            cmap = "magma", colorbar_label = "权重", xlabel = "keys" }))
  local p = io.popen("pdftotext -enc UTF-8 '" .. path("l.pdf") .. "' - 2>&1")
  local text = p:read("a")
  p:close()
  -- the colorbar label 权重 stands upright, one character per line
  for _, want in ipairs { "我", "爱", "北京", "q0", "q1", "权", "重", "keys", "0.8" } do
    t.truthy(text:find(want, 1, true), "pdftotext lacks " .. want .. " in " .. text)
  end
  for _, c in ipairs(viz.colormaps) do
    t.truthy(viz.heatmap(m, { file = path("c.png"), cmap = c }))
    t.truthy(viz.heatmap(m, { file = path("c.png"), cmap = c .. "_r" }))
  end
  viz.heatmap(tensor.from{ { -1, 2 } }, { file = path("d.png"), cmap = "rdbu" })
  t.eq(viz.last_info.vmin, -2); t.eq(viz.last_info.vmax, 2)
  viz.heatmap(m, { file = path("v.png"), vmin = -1, vmax = 3 })
  t.eq(viz.last_info.vmin, -1); t.eq(viz.last_info.vmax, 3)
end)

t.test("bad input gives clear errors at the learner's line", function()
  local e = t.raises(function() viz.heatmap({}, { file = path("x.png") }) end,
                     "viz.heatmap: nothing to draw (an empty table)")
  t.truthy(e:find("test_viz.lua:", 1, true), e)
  t.raises(function() viz.heatmap(tensor.zeros(0, 3), { file = path("x.png") }) end,
           "viz.heatmap: nothing to draw: the matrix has shape (0, 3)")
  t.raises(function() viz.heatmap(tensor.ones(5), { file = path("x.png") }) end,
           "viz.heatmap: expected a 2-D matrix, got the 1-D shape (5,) (for one row write x:reshape{1, 5})")
  t.raises(function() viz.heatmap({ { 1, 2 }, { 3 } }, { file = path("x.png") }) end,
           "viz.heatmap: the matrix must be a tensor or a table of rows of numbers")
  t.raises(function() viz.heatmap(m, { file = path("x.png"), xlabels = { "a", "b" } }) end,
           "viz.heatmap: xlabels has 2 labels but the matrix has 3 columns")
  t.raises(function() viz.heatmap(m, { file = path("x.png"), ylabels = { "a" } }) end,
           "viz.heatmap: ylabels has 1 labels but the matrix has 2 rows")
  t.raises(function() viz.heatmap(m, { file = path("x.png"), cmap = "jet" }) end,
           "viz.heatmap: unknown colormap 'jet' (known: viridis, magma")
  t.raises(function() viz.heatmap(m, { file = path("x.jpg") }) end,
           "viz.heatmap: cannot tell the format of '" .. path("x.jpg") .. "'")
  t.raises(function() viz.heatmap(m, { file = path("x.png"), colour = "red" }) end,
           "viz.heatmap: unknown option 'colour'")
  t.raises(function() viz.heatmap(m, { file = path("x.png"), vmin = 2, vmax = 1 }) end,
           "viz.heatmap: vmin (2) must be less than vmax (1)")
  t.raises(function() viz.heatmap(tensor.rand(2, 3, 3), { file = path("x.png"), sample = 2 }) end,
           "viz.heatmap: sample 2 is out of range for 2 samples (0 to 1)")
  t.raises(function() viz.heatmap(m, { file = path("x.png"), fmt = "%s" , annotate = true }) end,
           "viz.heatmap: fmt '%s' is not a number format")
  t.raises(function() viz.heatmap(nn.Input{ 3, 4 }, { file = path("x.png") }) end,
           "has no values yet")
  t.raises(function() viz.heatmap("abc") end, "viz.heatmap: expected a matrix")
  t.eq(read(path("x.png")), nil)
  t.eq(read(path("x.jpg")), nil)
end)

t.test("an unwritable path returns nil and a message; no partial file is left", function()
  local ok, err = viz.heatmap(m, { file = path("no/such/dir/x.png") })
  t.eq(ok, nil)
  t.truthy(err:find(path("no/such/dir/x.png") .. ": No such file or directory", 1, true), err)
  os.execute("mkdir -p '" .. path("sub/taken.png") .. "'")
  ok, err = viz.heatmap(m, { file = path("sub/taken.png") })
  t.eq(ok, nil)
  t.truthy(err:find(path("sub/taken.png"), 1, true), err)
  t.eq(#entries(path("sub")), 1) -- only the directory itself; no temporary file
end)

t.test("NaN and infinite cells are drawn with a warning", function()
  local p = io.popen(string.format(
    "'%s' -e 'print(viz.heatmap({{0/0, 1}, {1/0, 2}}, {file=%q, annotate=true}))' 2>&1",
    exe, path("nan.png")))
  local out = p:read("a")
  p:close()
  t.truthy(out:find("viz.heatmap: warning: 2 cells are NaN or infinite; drawn hatched grey", 1, true), out)
  t.truthy(out:find(path("nan.png"), 1, true), out)
  t.truthy(png_size(path("nan.png")))
end)

local function strip(s) return (s:gsub("\27%[[%d;]*m", "")) end

t.test("show: 24-bit half blocks, 256 colours, ASCII; labels and a scale", function()
  local s = viz.show(m, { mode = "truecolor", to_string = true, ylabels = { "a", "b" },
                          xlabels = { "x", "y", "z" }, title = "T" })
  t.truthy(s:find("\27[38;2;68;1;84;48;2;", 1, true), s)  -- viridis(0) over the next row
  t.truthy(s:find("\u{2580}", 1, true))
  local lines = {}
  for l in strip(s):gmatch("[^\n]+") do lines[#lines + 1] = l end
  t.eq(lines[1], "T")
  t.eq(lines[2]:sub(1, 4), "a/b ")  -- two rows on one line
  t.eq(lines[3], "    xyz")          -- short column labels, vertical
  t.truthy(lines[4]:find("^0 +1$"), lines[4])
  local s256 = viz.show(m, { mode = "256", to_string = true })
  t.truthy(s256:find("\27[38;5;", 1, true) and not s256:find("38;2;", 1, true))
  local a = viz.show(m, { mode = "ascii", to_string = true })
  t.eq(a:find("\27", 1, true), nil)
  t.truthy(a:find("0 [ .:-=+*#%@] 1", 1, true), a)
  t.truthy(a:find("0  +@\n", 1, true), a)
end)

t.test("show: wide matrices are averaged down to the terminal width", function()
  local wide = tensor.rand(4, 500)
  local s = strip(viz.show(wide, { mode = "truecolor", to_string = true, width = 60 }))
  for l in s:gmatch("[^\n]+") do
    t.truthy(utf8.len(l) <= 60, "line too long: " .. l)
  end
  t.truthy(s:find("4 x 500 shown as 4 x 44", 1, true), s)
  -- a row of column means: averaging keeps the mean
  local s2 = viz.show(tensor.from{ { 0, 1, 0, 1, 0, 1, 0, 1 } }, { mode = "ascii", width = 20,
                                                                  to_string = true })
  t.truthy(s2:find("01010101", 1, true) == nil)
end)

t.test("show: tall matrices are averaged down; each row label names the rows it averages, once", function()
  local s = viz.show(tensor.rand(150, 8), { mode = "ascii", to_string = true })
  local next_row = 0
  for line in s:gmatch("[^\n]+") do
    if line:match("^%s*'") then break end -- the column axis
    local label = line:match("^%s*(%d+%-?%d*) ")
    local a, b = label:match("^(%d+)%-(%d+)$")
    a, b = tonumber(a or label), tonumber(b or label)
    t.eq(a, next_row, "rows " .. label .. " follow on from the label before")
    t.truthy(b >= a, label)
    next_row = b + 1
  end
  t.eq(next_row, 150, "every row is in a label")
end)

t.test("show falls back to ASCII when NO_COLOR is set or stdout is a pipe", function()
  for _, env in ipairs { "NO_COLOR=1 ", "" } do
    local p = io.popen(env .. "'" .. exe .. "' -e 'viz.show(tensor.eye(3))' 2>&1")
    local out = p:read("a")
    p:close()
    t.eq(out:find("\27", 1, true), nil)
    t.truthy(out:find("[ .:-=+*#%@]", 1, true), out)
  end
end)

t.test("plot: a history's loss and metrics, lists of numbers", function()
  local h = { history = { loss = { 1, 0.5, 0.3 }, val_loss = { 1.1, 0.7, 0.6 },
                          accuracy = { 0.5, 0.8, 0.9 }, val_accuracy = { 0.4, 0.7, 0.8 } } }
  t.eq(viz.plot(h, { file = path("h.png"), title = "training" }), path("h.png"))
  local w, hh = png_size(path("h.png"))
  t.eq(w, 640); t.eq(hh, 420)
  t.truthy(viz.plot(h, { file = path("h.pdf"), metrics = { "loss" }, width = 400, height = 300 }))
  local p = io.popen("pdftotext '" .. path("h.pdf") .. "' - 2>&1")
  local text = p:read("a")
  p:close()
  t.truthy(text:find("validation loss", 1, true) and not text:find("accuracy", 1, true), text)
  t.truthy(viz.plot({ 3, 2, 1 }, { file = path("l.svg") }))
  t.truthy(read(path("l.svg")):find("<svg", 1, true))
  t.truthy(viz.plot{ { 1, 2, 3 }, { 3, 2, 1 }, file = path("two.png"), labels = { "up", "down" } })
  t.raises(function() viz.plot({}, { file = path("e.png") }) end, "viz.plot: nothing to plot")
  t.raises(function() viz.plot(h, { file = path("e.png"), metrics = { "auc" } }) end,
           "viz.plot: no metric 'auc' in the history")
  t.raises(function() viz.plot({ 1, "x" }, { file = path("e.png") }) end,
           "viz.plot: series '1' value 2 is string, not a number")
end)

t.test("attention: a layer's last weights, by model and name, with tokens", function()
  nn.seed(3)
  local att = nn.ProbAttention()
  t.raises(function() viz.attention(att, { file = path("a.png") }) end,
           "has no attention weights yet")
  local ids = nn.Input{ 5 }
  local e = nn.Embedding(10, 4)(ids)
  local out = att(e)
  local model = nn.Model(ids, out)
  local x = tensor.from{ { 1, 2, 3, 4, 0 }, { 5, 6, 7, 8, 9 } }
  model:predict(x)
  local written = table.pack(viz.attention(att, { file = path("a.png"), sample = 1,
                                                 tokens = { "a", "b", "c", "d", "e" } }))
  t.eq(written.n, 1, "viz.attention returns the path alone (the prompt prints no nil)")
  t.eq(written[1], path("a.png"))
  -- the scale starts where the weights do, not at a forced 0
  local drawn = att:last_attention()[1]
  t.near(viz.last_info.vmin, drawn:min():item(), 1e-6)
  t.near(viz.last_info.vmax, drawn:max():item(), 1e-6)
  local vocab = { [0] = "<pad>", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine" }
  t.eq(viz.attention(model, { layer = att.name, tokens = vocab, ids = x, file = path("b.pdf") }),
       path("b.pdf"))
  local p = io.popen("pdftotext '" .. path("b.pdf") .. "' - 2>&1")
  local text = p:read("a")
  p:close()
  for _, w in ipairs { "one", "two", "three", "four", "<pad>", "attention of" } do
    t.truthy(text:find(w, 1, true), "missing " .. w .. " in " .. text)
  end
  t.truthy(viz.attention(model, { file = path("c.png") }))  -- the only attention layer
  t.raises(function() viz.attention(model, { layer = "nope" }) end, "no layer named 'nope'")
  t.raises(function() viz.attention(att, { tokens = { "a" }, file = path("d.png") }) end,
           "viz.attention: tokens has 1 labels but the attention has 5 positions")
end)

t.test("grid: several heatmaps in one image, a shared colour scale", function()
  local a, b = tensor.from{ { 0, 1 }, { 2, 3 } }, tensor.from{ { -1, 5, 2 } }
  t.eq(viz.grid{ a, { b, title = "b", xlabels = { "x", "y", "z" } }, file = path("g.png"),
                 shared = true, title = "two" }, path("g.png"))
  t.eq(#viz.last_info, 2)
  t.eq(viz.last_info[1].vmin, -1); t.eq(viz.last_info[2].vmax, 5)
  t.truthy(viz.grid({ a, b }, { file = path("g2.png"), ncols = 1, width = 500, height = 600 }))
  local w, h = png_size(path("g2.png"))
  t.eq(w, 500); t.eq(h, 600)
  t.raises(function() viz.grid({}, { file = path("g3.png") }) end, "viz.grid: no heatmaps to draw")
  t.raises(function() viz.grid({ a, tensor.ones(3) }, { file = path("g3.png") }) end,
           "viz.grid: entry 2: expected a 2-D matrix")
end)

-- ---- figures for slides: text inside the image, CJK upright, small files

-- every text box of viz.last_info (or info) lies on the image
local function all_inside(info, what)
  t.truthy(info.texts and #info.texts > 0, what .. ": no text recorded")
  for _, b in ipairs(info.texts) do
    t.truthy(b.x >= -0.01 and b.y >= -0.01 and b.x + b.w <= info.width + 0.01 and
             b.y + b.h <= info.height + 0.01,
             string.format("%s: '%s' at (%.1f, %.1f) size %.1f x %.1f is outside the %d x %d image",
                           what, b.text, b.x, b.y, b.w, b.h, info.width, info.height))
  end
end

local function box_of(info, text)
  for _, b in ipairs(info.texts) do
    if b.text == text then return b end
  end
  error("no text '" .. text .. "' was drawn", 2)
end

local LONG = "Attention of the BiGRU over the twenty positions of every test sequence, " ..
             "after the last epoch of training, with the marker and the word after it"

t.test("a long title wraps or shrinks to fit: no text outside the image", function()
  local small = tensor.rand(3, 4)
  for _, case in ipairs {
    { "auto size", {} }, { "width 300", { width = 300 } },
    { "300 x 200", { width = 300, height = 200 } }, { "svg", { file = path("long.svg") } },
  } do
    local o = { file = path("long.png"), title = LONG, xlabel = LONG, ylabel = LONG,
                colorbar_label = LONG }
    for k, v in pairs(case[2]) do o[k] = v end
    t.truthy(viz.heatmap(small, o))
    all_inside(viz.last_info, "heatmap " .. case[1])
    local title = box_of(viz.last_info, LONG)
    t.truthy(title.lines >= 2 or title.size < 14,
             case[1] .. ": the title neither wraps nor shrinks")
  end
  -- a title that fits two lines is wrapped whole, not cut
  viz.heatmap(small, { file = path("long.png"), title = "A title a little too long for the four columns of this map" })
  local b = box_of(viz.last_info, "A title a little too long for the four columns of this map")
  t.eq(b.cut, false)
  t.eq(b.lines, 2)
  all_inside(viz.last_info, "two-line title")
  -- a Chinese title wraps between characters
  local zh = "注意力图：双向门控循环单元在每个测试序列的二十个位置上的注意力权重，训练的最后一轮"
  viz.heatmap(small, { file = path("long.png"), title = zh })
  all_inside(viz.last_info, "Chinese title")
  t.truthy(box_of(viz.last_info, zh).lines >= 2)
  -- a grid: the figure's title and each panel's
  t.truthy(viz.grid({ { small, title = LONG }, { small, title = "b" } },
                    { file = path("g.png"), title = LONG .. " " .. LONG, shared = true,
                      colorbar_label = "weight" }))
  viz.last_info.width, viz.last_info.height = viz.last_info[1].width, viz.last_info[1].height
  all_inside(viz.last_info, "grid")
  -- a training plot
  t.truthy(viz.plot({ 3, 2, 1 }, { file = path("p.png"), title = LONG, xlabel = LONG,
                                   ylabel = LONG, width = 300, height = 200 }))
  all_inside(viz.last_info, "plot")
end)

-- Chinese, Latin and mixed tokens, as a sentence's labels
local ZH = { "我", "爱", "北京", "天安门", "的", "注意力", "<pad>", "hello" }

t.test("CJK column labels stay upright: level when they fit, stacked when columns are narrow", function()
  -- 24 narrow columns: CJK labels stacked one character per line, the
  -- Latin ones turned a quarter turn
  local labels = {}
  for i = 1, 24 do labels[i] = ZH[(i - 1) % #ZH + 1] end
  viz.heatmap(tensor.rand(3, 24), { file = path("zh.png"), xlabels = labels, width = 480 })
  local info = viz.last_info
  t.eq(info.xrotated, true)
  t.eq(info.xstep, 1)
  all_inside(info, "24 columns")
  local seen = {}
  for _, b in ipairs(info.texts) do
    local n = utf8.len(b.text)
    if b.text == "天安门" or b.text == "北京" or b.text == "注意力" then
      seen[b.text] = true
      t.eq(b.angle, 0, b.text .. " is upright")
      t.eq(b.stacked, true)
      t.eq(b.lines, n, b.text .. ": one character per line")
      -- taller than wide, and about one character wide
      t.truthy(b.h > b.w * (n - 0.5), string.format("%s: %.1f x %.1f", b.text, b.w, b.h))
      t.truthy(b.w < 1.6 * b.size, string.format("%s: %.1f wide", b.text, b.w))
    elseif b.text == "hello" or b.text == "<pad>" then
      seen[b.text] = true
      t.near(b.angle, -math.pi / 2, 1e-9, b.text .. " is turned")
      t.truthy(b.h > b.w)
    end
  end
  for _, want in ipairs { "北京", "天安门", "注意力", "hello", "<pad>" } do
    t.truthy(seen[want], want .. " was not drawn")
  end
  -- 8 wide columns: every label level, CJK ones on one line
  viz.heatmap(tensor.rand(3, 8), { file = path("zh8.png"), xlabels = ZH, width = 900 })
  t.eq(viz.last_info.xrotated, false)
  for _, b in ipairs(viz.last_info.texts) do
    t.eq(b.angle, 0, b.text .. " is level")
  end
  local b = box_of(viz.last_info, "天安门")
  t.eq(b.lines, 1)
  t.truthy(b.w > b.h, string.format("天安门 is %.1f x %.1f", b.w, b.h))
  -- rows: level, whatever the script; a CJK axis and colorbar label upright
  viz.heatmap(tensor.rand(8, 3), { file = path("zhy.png"), ylabels = ZH, ylabel = "查询位置",
                                  colorbar_label = "注意力权重" })
  for _, l in ipairs(ZH) do t.eq(box_of(viz.last_info, l).angle, 0, l) end
  for _, l in ipairs { "查询位置", "注意力权重" } do
    local yb = box_of(viz.last_info, l)
    t.eq(yb.angle, 0, l .. " is upright")
    t.eq(yb.lines, utf8.len(l), l .. " is stacked")
  end
  -- a Latin axis label is still turned, as in matplotlib
  viz.heatmap(tensor.rand(8, 3), { file = path("y.png"), ylabel = "query position" })
  t.near(box_of(viz.last_info, "query position").angle, -math.pi / 2, 1e-9)
end)

t.test("Latin column labels are turned only when neighbours would overlap", function()
  -- one long label between short ones: it overflows its column but no
  -- neighbour, so all stay level (the widest label alone used to turn them)
  local m4 = tensor.rand(2, 4)
  viz.heatmap(m4, { file = path("lv.png"), xlabels = { "a", "attention", "b", "c" }, width = 260 })
  local info = viz.last_info
  local long = box_of(info, "attention")
  t.truthy(long.w > info.cell_w, string.format("the label (%.1f) is wider than its column (%.1f)",
                                               long.w, info.cell_w))
  t.eq(info.xrotated, false)
  t.eq(long.angle, 0)
  -- two long neighbours would overlap: turned
  viz.heatmap(m4, { file = path("lv.png"), xlabels = { "a", "attention", "weights", "c" }, width = 260 })
  t.eq(viz.last_info.xrotated, true)
  t.near(box_of(viz.last_info, "weights").angle, -math.pi / 2, 1e-9)
  -- the labels of neighbouring columns never overlap
  for _, labels in ipairs { { "a", "attention", "b", "c" }, { "a", "attention", "weights", "c" },
                            { "我", "爱", "北京", "天安门" } } do
    for _, width in ipairs { 200, 260, 600 } do
      viz.heatmap(m4, { file = path("lv.png"), xlabels = labels, width = width })
      local boxes = {}
      for _, l in ipairs(labels) do boxes[#boxes + 1] = box_of(viz.last_info, l) end
      for i = 1, #boxes - 1 do
        local a, b = boxes[i], boxes[i + 1]
        t.truthy(a.x + a.w <= b.x + 0.01, string.format("'%s' and '%s' overlap at width %d",
                                                        a.text, b.text, width))
      end
      all_inside(viz.last_info, "width " .. width)
    end
  end
end)

local function file_size(p)
  local f = assert(io.open(p, "rb"))
  local n = f:seek("end")
  f:close()
  return n
end

t.test("a 128 x 64 map is a small SVG and PDF: the cells are one image, the text stays text", function()
  nn.seed(11)
  local big = tensor.rand(64, 128)
  local labels = {}
  for i = 1, 128 do labels[i] = "tok" .. i end
  for _, ext in ipairs { "svg", "pdf" } do
    local p = path("big." .. ext)
    t.truthy(viz.heatmap(big, { file = p, xlabels = labels, title = "a 128 x 64 map" }))
    local n = file_size(p)
    t.truthy(n < 300 * 1024, string.format("%s is %d bytes", p, n))
  end
  local svg = read(path("big.svg"))
  local images = 0
  for tag in svg:gmatch("<image [^>]*") do
    images = images + 1
    t.truthy(tag:find("image-rendering:pixelated", 1, true), "a smoothed image: " .. tag:sub(1, 120))
  end
  t.eq(images, 2, "the cells and the colorbar")
  t.eq(select(2, svg:gsub("<path", "")) < 200, true, "one shape per cell is gone")
  local pdf = read(path("big.pdf"))
  t.truthy(pdf:find("/Interpolate false", 1, true), "the PDF's image is smoothed")
  local p = io.popen("pdftotext -enc UTF-8 '" .. path("big.pdf") .. "' - 2>&1")
  local text = p:read("a")
  p:close()
  for _, want in ipairs { "a 128 x 64 map", "tok1", "tok127", "0.8" } do
    t.truthy(text:find(want, 1, true), "pdftotext lacks " .. want)
  end
  -- the PNG cells are the colormap's, edge to edge
  t.truthy(viz.heatmap(big, { file = path("big.png") }))
end)

-- ---- animations ------------------------------------------------------------

-- The frames of a GIF file: its screen size, and per image its rectangle,
-- the delay of the graphics control block before it (1/100 s), and the
-- Netscape loop count (nil when absent).
local function gif_frames(p)
  local s = read(p)
  t.truthy(s and s:sub(1, 6) == "GIF89a", p .. " is not a GIF89a file")
  local w, h, flags = string.unpack("<I2I2B", s, 7)
  local pos = 14
  if flags & 0x80 ~= 0 then pos = pos + 3 * (1 << ((flags & 7) + 1)) end
  local function skip_blocks()
    while true do
      local n = s:byte(pos)
      pos = pos + 1
      if n == 0 then return end
      pos = pos + n
    end
  end
  local frames, delay, loop = {}, nil, nil
  while true do
    local b = s:byte(pos)
    t.truthy(b, "the GIF ends without a trailer")
    if b == 0x3B then break end
    if b == 0x21 then
      local label = s:byte(pos + 1)
      if label == 0xF9 then delay = string.unpack("<I2", s, pos + 4) end
      if label == 0xFF and s:sub(pos + 3, pos + 13) == "NETSCAPE2.0" then
        loop = string.unpack("<I2", s, pos + 16)
      end
      pos = pos + 2
      skip_blocks()
    elseif b == 0x2C then
      local x, y, fw, fh, f = string.unpack("<I2I2I2I2B", s, pos + 1)
      frames[#frames + 1] = { x = x, y = y, w = fw, h = fh, delay = delay }
      pos = pos + 10
      if f & 0x80 ~= 0 then pos = pos + 3 * (1 << ((f & 7) + 1)) end
      pos = pos + 1 -- the LZW code size
      skip_blocks()
    else
      error(string.format("%s: unexpected byte 0x%02x at %d", p, b, pos))
    end
  end
  return { width = w, height = h, frames = frames, loop = loop }
end

t.test("animate: the epochs of a training run as one animated GIF", function()
  nn.seed(4)
  local maps, words = {}, { "我", "爱", "北京", "天安门", "的", "注意力", "<pad>", "hello" }
  for e = 1, 6 do
    maps[e] = { tensor.softmax(tensor.randn(4, 8) * e, -1), title = "epoch " .. e }
  end
  local p = path("epochs.gif")
  t.eq(viz.animate{ maps, file = p, delay = 0.25, xlabels = words, xlabel = "键",
                    ylabels = { "s0", "s1", "s2", "s3" }, colorbar_label = "weight" }, p)
  local info = viz.last_info
  t.eq(info.frames, 6)
  local g = gif_frames(p)
  t.eq(#g.frames, 6)
  t.eq(g.width, info.width); t.eq(g.height, info.height)
  t.eq(g.loop, 0, "loops for ever")
  t.eq(file_size(p), info.bytes)
  -- the first frame is whole; the others are the part that changed
  t.truthy(g.frames[1].x == 0 and g.frames[1].y == 0 and g.frames[1].w == g.width and
           g.frames[1].h == g.height)
  for i, f in ipairs(g.frames) do
    t.eq(f.delay, 25, "frame " .. i .. " shows 0.25 s")
    t.truthy(f.x + f.w <= g.width and f.y + f.h <= g.height)
  end
  -- one colour scale: all the frames' values
  local lo, hi = math.huge, -math.huge
  for _, m in ipairs(maps) do
    lo, hi = math.min(lo, m[1]:min():item()), math.max(hi, m[1]:max():item())
  end
  t.near(info.vmin, lo, 1e-6); t.near(info.vmax, hi, 1e-6)
  -- every frame's text on the image, its own title, labels upright
  all_inside(info, "animation")
  local titles = {}
  for _, b in ipairs(info.texts) do
    if b.text:match("^epoch") then titles[b.frame] = b.text end
    if b.text == "天安门" then t.eq(b.angle, 0) end
  end
  for e = 1, 6 do t.eq(titles[e], "epoch " .. e) end
  -- the other spellings: a list and options; plain tensors; loop and delay
  local plain = { maps[1][1], maps[2][1] }
  t.eq(viz.animate(plain, { file = path("two.gif"), loop = 1, title = "same" }), path("two.gif"))
  g = gif_frames(path("two.gif"))
  t.eq(#g.frames, 2); t.eq(g.loop, nil, "plays once: no loop extension")
  t.eq(g.frames[1].delay, 50, "half a second by default")
  t.eq(viz.animate{ maps[1][1], maps[2][1], maps[3][1], file = path("three.gif"), loop = 3 },
       path("three.gif"))
  g = gif_frames(path("three.gif"))
  t.eq(#g.frames, 3); t.eq(g.loop, 2, "plays 3 times: repeats twice")
  -- 3-D frames with sample=, nested tables
  t.truthy(viz.animate{ { tensor.rand(2, 3, 4), tensor.rand(2, 3, 4) }, sample = 1,
                        file = path("s.gif") })
  t.truthy(viz.animate{ { { { 1, 2 }, { 3, 4 } }, { { 4, 3 }, { 2, 1 } } }, file = path("n.gif") })
  t.eq(#gif_frames(path("n.gif")).frames, 2)
end)

t.test("animate: bad frames and options give clear errors, and write nothing", function()
  local a, b = tensor.rand(3, 4), tensor.rand(3, 5)
  local p = path("bad.gif")
  t.raises(function() viz.animate{ {}, file = p } end, "viz.animate: no frames to draw")
  t.raises(function() viz.animate{ file = p } end, "viz.animate: no frames to draw")
  t.raises(function() viz.animate(a, { file = p }) end,
           "viz.animate: expected a list of frames (2-D tensors), got one tensor: write " ..
           "viz.animate{{m1, m2, ...}, file = ...}")
  t.raises(function() viz.animate{ { a, b }, file = p } end,
           "viz.animate: frame 2 has shape (3, 5) but frame 1 has (3, 4): every frame must " ..
           "have the same shape")
  t.raises(function() viz.animate{ { a, "x" }, file = p } end,
           "viz.animate: frame 2: expected a matrix (a 2-D tensor or a table of rows), got string")
  t.raises(function() viz.animate{ { a, tensor.ones(4) }, file = p } end,
           "viz.animate: frame 2: expected a 2-D matrix, got the 1-D shape (4,)")
  t.raises(function() viz.animate{ { a, { a, titel = "x" } }, file = p } end,
           "viz.animate: frame 2: unknown option 'titel' (known: title)")
  t.raises(function() viz.animate{ { a, { title = "x" } }, file = p } end,
           "viz.animate: frame 2: expected a matrix (a 2-D tensor or a table of rows), got nil")
  t.raises(function() viz.animate{ { a, nn.Input{ 3, 4 } }, file = p } end,
           "viz.animate: frame 2: <Input shape=(None, 3, 4)> is symbolic (from nn.Input) and has no values yet")
  t.raises(function() viz.animate{ { a }, file = path("bad.png") } end,
           "viz.animate: an animation is written as a GIF: use a file name ending in .gif, got '" ..
           path("bad.png") .. "'")
  t.raises(function() viz.animate{ { a }, file = p, delay = -1 } end,
           "viz.animate: delay must be a positive number of seconds, got -1")
  t.raises(function() viz.animate{ { a }, file = p, delay = 500 } end,
           "viz.animate: delay is the time each frame shows, in seconds (0.01 to 60), got 500")
  t.raises(function() viz.animate{ { a }, file = p, loop = -1 } end,
           "viz.animate: loop must be 0 (for ever) or the number of times to play, got -1")
  t.raises(function() viz.animate{ { a }, file = p, xlabels = { "a" } } end,
           "viz.animate: frame 1: xlabels has 1 labels but the matrix has 4 columns")
  t.raises(function() viz.animate{ { a }, file = p, fps = 2 } end,
           "viz.animate: unknown option 'fps'")
  t.eq(read(p), nil)
  -- a failed write returns nil and a message, and leaves no partial file
  local ok, err = viz.animate{ { a }, file = path("no/such/dir/x.gif") }
  t.eq(ok, nil)
  t.truthy(err:find(path("no/such/dir/x.gif") .. ": No such file or directory", 1, true), err)
  os.execute("mkdir -p '" .. path("gsub/taken.gif") .. "'")
  ok, err = viz.animate{ { a, a }, file = path("gsub/taken.gif") }
  t.eq(ok, nil)
  t.truthy(err:find(path("gsub/taken.gif"), 1, true), err)
  t.eq(#entries(path("gsub")), 1) -- only the directory itself; no temporary file
end)

os.execute("rm -rf '" .. tmp .. "'")
t.done()
