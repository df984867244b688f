-- attnlab.viz: the `viz` global - seeing what a network does.
--
--   viz.heatmap(m, opts)      a matrix as an image (.png, .svg, .pdf)
--   viz.show(m, opts)         the same matrix in the terminal
--   viz.attention(layer, opts) the last attention weights of a layer
--   viz.grid{m1, m2, ...}     several heatmaps in one image
--   viz.animate{frames, ...}  heatmaps as the frames of an animated GIF
--   viz.plot(history, opts)   loss and metrics per epoch
--
-- The drawing is C (src/viz, through core.viz); this file turns tensors,
-- nested tables, layers and histories into what it draws, and checks the
-- options so that mistakes are reported at the learner's line.
local core = require "attnlab.core"
local util = require "attnlab.util"

local viz = {}

local function fail(msg, ...) util.error(msg, ...) end

local function is_tensor(v)
  return type(v) == "userdata" and getmetatable(v) == getmetatable(core.zeros(1))
end

local function shape_str(t)
  return tostring(t.shape)
end

-- ---------------------------------------------------------------------------
-- the matrix: a 2-D tensor or nested table; 3-D and 4-D with sample= and head=

local function pick(who, t, index, axis_name, what)
  local n = t:size(0)
  index = index or 0
  if not util.is_integer(index) then
    fail("%s: %s must be an integer, got %s", who, axis_name, util.show(index))
  end
  if index < 0 then index = index + n end
  if index < 0 or index >= n then
    fail("%s: %s %s is out of range for %d %s (0 to %d)", who, axis_name,
         util.show(index), n, what, n - 1)
  end
  return t[index], index
end

local function to_matrix(who, m, opts)
  local t = m
  if type(m) == "table" then
    if #m == 0 then fail("%s: nothing to draw (an empty table)", who) end
    local ok, r = pcall(core.from, m)
    if not ok then
      fail("%s: the matrix must be a tensor or a table of rows of numbers: %s", who,
           tostring(r):gsub("^.-tensor%.from: ", ""))
    end
    t = r
  elseif not is_tensor(m) then
    fail("%s: expected a matrix (a 2-D tensor or a table of rows), got %s", who, type(m))
  end
  if t.symbolic then
    fail("%s: %s is symbolic (from nn.Input) and has no values yet; call the " ..
         "model on data first", who, tostring(t))
  end
  local sample, head
  if t.ndim == 4 then
    t, sample = pick(who, t, opts.sample, "sample", "samples")
    t, head = pick(who, t, opts.head, "head", "heads")
  elseif t.ndim == 3 then
    if opts.head ~= nil then
      fail("%s: head= needs a 4-D tensor (batch, heads, Tq, Tk), got shape %s", who, shape_str(t))
    end
    t, sample = pick(who, t, opts.sample, "sample", "samples")
  elseif t.ndim == 2 then
    if opts.sample ~= nil or opts.head ~= nil then
      fail("%s: sample= and head= need a 3-D or 4-D tensor, got shape %s", who, shape_str(t))
    end
  elseif t.ndim == 1 then
    fail("%s: expected a 2-D matrix, got the 1-D shape %s (for one row write x:reshape{1, %d})",
         who, shape_str(t), t:size(0))
  else
    fail("%s: expected a 2-D matrix (or 3-D/4-D with sample= and head=), got shape %s",
         who, shape_str(t))
  end
  if t:numel() == 0 then
    fail("%s: nothing to draw: the matrix has shape %s", who, shape_str(t))
  end
  return t, sample, head
end

local function labels_of(who, key, labels, n, what)
  if labels == nil then return nil end
  if is_tensor(labels) then labels = labels:totable() end
  if type(labels) ~= "table" then
    fail("%s: %s must be a list of strings, got %s", who, key, type(labels))
  end
  if #labels ~= n then
    fail("%s: %s has %d labels but the matrix has %d %s", who, key, #labels, n, what)
  end
  local out = {}
  for i = 1, n do
    local l = labels[i]
    if type(l) == "number" and util.is_integer(l) then l = string.format("%d", l) end
    if type(l) ~= "string" and type(l) ~= "number" then
      fail("%s: %s[%d] must be a string, got %s", who, key, i, type(l))
    end
    out[i] = tostring(l)
  end
  return out
end

local function check_string(who, opts, key)
  local v = opts[key]
  if v ~= nil and type(v) ~= "string" then
    if type(v) == "number" then return tostring(v) end
    fail("%s: %s must be a string, got %s", who, key, type(v))
  end
  return v
end

local function check_number(who, opts, key)
  local v = opts[key]
  if v ~= nil and (type(v) ~= "number" or v ~= v) then
    fail("%s: %s must be a number, got %s", who, key, util.show(v))
  end
  return v
end

local function check_cmap(who, name)
  if name ~= nil and type(name) ~= "string" then
    fail("%s: cmap must be the name of a colormap, got %s", who, type(name))
  end
  local ok, err = pcall(core.viz.colormap, name)
  if not ok then
    fail("%s", (tostring(err):gsub("^.-viz: ", who .. ": ")))
  end
end

local panel_keys = {
  title = true, xlabel = true, ylabel = true, xlabels = true, ylabels = true,
  cmap = true, vmin = true, vmax = true, colorbar = true, colorbar_label = true,
  annotate = true, fmt = true, sample = true, head = true,
}
local figure_keys = { file = true, width = true, height = true, scale = true }

-- A panel for core.viz.heatmap from a matrix and options.
local function make_panel(who, m, opts)
  local t = to_matrix(who, m, opts)
  local rows, cols = t:size(0), t:size(1)
  check_cmap(who, opts.cmap)
  local vmin, vmax = check_number(who, opts, "vmin"), check_number(who, opts, "vmax")
  if vmin and vmax and not (vmin < vmax) then
    fail("%s: vmin (%s) must be less than vmax (%s)", who, util.show(vmin), util.show(vmax))
  end
  if opts.colorbar ~= nil and type(opts.colorbar) ~= "boolean" then
    fail("%s: colorbar must be true or false, got %s", who, type(opts.colorbar))
  end
  if opts.annotate ~= nil and type(opts.annotate) ~= "boolean" then
    fail("%s: annotate must be true or false, got %s", who, type(opts.annotate))
  end
  return {
    data = t,
    title = check_string(who, opts, "title"),
    xlabel = check_string(who, opts, "xlabel"),
    ylabel = check_string(who, opts, "ylabel"),
    colorbar_label = check_string(who, opts, "colorbar_label"),
    fmt = check_string(who, opts, "fmt"),
    cmap = opts.cmap, vmin = vmin, vmax = vmax,
    colorbar = opts.colorbar, annotate = opts.annotate,
    xlabels = labels_of(who, "xlabels", opts.xlabels, cols, "columns"),
    ylabels = labels_of(who, "ylabels", opts.ylabels, rows, "rows"),
  }
end

local function figure(who, opts, extra)
  local fig = { who = who }
  for _, k in ipairs { "width", "height", "scale" } do
    local v = check_number(who, opts, k)
    if v ~= nil and not (v > 0) then
      fail("%s: %s must be a positive number, got %s", who, k, util.show(v))
    end
    fig[k] = v
  end
  for k, v in pairs(extra or {}) do fig[k] = v end
  return fig
end

local function check_file(who, opts, default)
  local file = opts.file
  if file == nil then return default end
  if type(file) ~= "string" then
    fail("%s: file must be a path ending in .png, .svg or .pdf, got %s", who, type(file))
  end
  local ext = file:match("%.(%w+)$")
  ext = ext and ext:lower()
  if ext ~= "png" and ext ~= "svg" and ext ~= "pdf" then
    fail("%s: cannot tell the format of '%s': use a file name ending in .png, .svg or .pdf",
         who, file)
  end
  return file
end

local function warn_nonfinite(who, infos)
  local n = 0
  for _, info in ipairs(infos) do n = n + info.nonfinite end
  if n > 0 then
    io.stderr:write(string.format(
      "%s: warning: %d cell%s NaN or infinite; drawn hatched grey\n", who, n,
      n == 1 and " is" or "s are"))
  end
end

local function merge(a, b)
  local out = {}
  for k, v in pairs(a or {}) do out[k] = v end
  for k, v in pairs(b or {}) do out[k] = v end
  return out
end

local heatmap_keys = merge(panel_keys, figure_keys)

-- viz.heatmap(m, opts) -> path | nil, message
function viz.heatmap(m, opts)
  local who = "viz.heatmap"
  opts = util.check_options(who, opts, heatmap_keys)
  local file = check_file(who, opts, "heatmap.png")
  local panel = make_panel(who, m, opts)
  local infos, err = core.viz.heatmap(file, { panel }, figure(who, opts))
  if not infos then return nil, err end
  warn_nonfinite(who, infos)
  infos[1].texts = infos.texts
  viz.last_info = infos[1]
  return file
end

-- viz.grid{m1, m2, ..., file=, title=, ncols=, shared=, width=, height=,
-- scale=, cmap=, vmin=, vmax=, ...}: each entry is a matrix or a table
-- {matrix, title=, xlabels=, ...}; options outside the entries apply to all.
local grid_keys = merge(heatmap_keys, { ncols = true, shared = true })
function viz.grid(spec, opts)
  local who = "viz.grid"
  if type(spec) ~= "table" or is_tensor(spec) then
    fail("%s: expected a list of matrices, got %s", who, type(spec))
  end
  local common = {}
  for k, v in pairs(spec) do
    if type(k) ~= "number" then common[k] = v end
  end
  common = merge(common, opts)
  util.check_options(who, common, grid_keys)
  if #spec == 0 then fail("%s: no heatmaps to draw", who) end
  local file = check_file(who, common, "grid.png")
  if common.ncols ~= nil and not (util.is_integer(common.ncols) and common.ncols >= 1) then
    fail("%s: ncols must be a positive integer, got %s", who, util.show(common.ncols))
  end
  local panels = {}
  local inherited = {}
  for k, v in pairs(common) do
    if panel_keys[k] and k ~= "title" then inherited[k] = v end
  end
  for i, entry in ipairs(spec) do
    local m, popts = entry, inherited
    if type(entry) == "table" and not is_tensor(entry) and (entry.data ~= nil or
       (is_tensor(entry[1]) or (type(entry[1]) == "table" and type(entry[1][1]) == "table"))) then
      m = entry.data or entry[1]
      local own = {}
      for k, v in pairs(entry) do
        if k ~= 1 and k ~= "data" then own[k] = v end
      end
      util.check_options(string.format("%s: entry %d", who, i), own, panel_keys)
      popts = merge(inherited, own)
    end
    panels[i] = make_panel(string.format("%s: entry %d", who, i), m, popts)
  end
  local infos, err = core.viz.heatmap(file, panels, figure(who, common, {
    title = check_string(who, common, "title"), ncols = common.ncols,
    shared = common.shared and true or false }))
  if not infos then return nil, err end
  warn_nonfinite(who, infos)
  viz.last_info = infos
  return file
end

-- ---------------------------------------------------------------------------
-- animation

local animate_keys = merge(heatmap_keys, { delay = true, loop = true })
local frame_keys = { title = true }

-- a matrix written as a table of rows of numbers
local function is_rows(v)
  return type(v) == "table" and not is_tensor(v) and type(v[1]) == "table"
         and type(v[1][1]) == "number"
end

local function has_named_keys(t)
  for k in pairs(t) do
    if type(k) ~= "number" then return true end
  end
  return false
end

-- viz.animate{frames, file = "epochs.gif", delay =, loop =, title =, ...}
-- or viz.animate(frames, {file = ...}): each frame is a matrix or
-- {matrix, title =}; the other options are viz.heatmap's and apply to
-- every frame, on one colour scale.
function viz.animate(spec, opts)
  local who = "viz.animate"
  if type(spec) ~= "table" or is_tensor(spec) then
    fail("%s: expected a list of frames (2-D tensors), got %s", who,
         is_tensor(spec) and "one tensor: write viz.animate{{m1, m2, ...}, file = ...}"
         or type(spec))
  end
  local common, frames = {}, spec
  for k, v in pairs(spec) do
    if type(k) ~= "number" then common[k] = v end
  end
  local first = spec[1]
  if #spec == 1 and type(first) == "table" and not is_tensor(first) and
     not is_rows(first) and not has_named_keys(first) then
    frames = first -- viz.animate{frames, file = ...}
  end
  common = merge(common, opts)
  util.check_options(who, common, animate_keys)
  local file = common.file
  if file == nil then file = "animation.gif" end
  if type(file) ~= "string" then
    fail("%s: file must be a path ending in .gif, got %s", who, type(file))
  end
  if not file:lower():match("%.gif$") then
    fail("%s: an animation is written as a GIF: use a file name ending in .gif, got '%s'",
         who, file)
  end
  local delay = check_number(who, common, "delay")
  if delay ~= nil and not (delay > 0) then
    fail("%s: delay must be a positive number of seconds, got %s", who, util.show(delay))
  end
  local loop = common.loop
  if loop ~= nil and not (util.is_integer(loop) and loop >= 0) then
    fail("%s: loop must be 0 (for ever) or the number of times to play, got %s", who,
         util.show(loop))
  end
  local n = #frames
  if n == 0 then fail("%s: no frames to draw", who) end
  if n > 1000 then fail("%s: from 1 to 1000 frames, got %d", who, n) end
  local inherited = {}
  for k, v in pairs(common) do
    if panel_keys[k] then inherited[k] = v end
  end
  local panels, shape0 = {}, nil
  for i = 1, n do
    local fwho = string.format("%s: frame %d", who, i)
    local entry, own = frames[i], nil
    local m = entry
    if type(entry) == "table" and not is_tensor(entry) and not is_rows(entry) then
      m = entry.data or entry[1]
      own = {}
      for k, v in pairs(entry) do
        if k ~= 1 and k ~= "data" then own[k] = v end
      end
      util.check_options(fwho, own, frame_keys)
    end
    if m == nil then
      fail("%s: expected a matrix (a 2-D tensor or a table of rows), got nil", fwho)
    end
    local popts = merge(inherited, own)
    local t = to_matrix(fwho, m, popts)
    if shape0 == nil then
      shape0 = t.shape
    elseif t:size(0) ~= shape0[1] or t:size(1) ~= shape0[2] then
      fail("%s: frame %d has shape %s but frame 1 has %s: every frame must have the same shape",
           who, i, shape_str(t), tostring(shape0))
    end
    popts.sample, popts.head = nil, nil
    panels[i] = make_panel(fwho, t, popts)
  end
  local fig = figure(who, common, { delay = delay, loop = loop })
  local info, err = core.viz.animate(file, panels, fig)
  if not info then return nil, err end
  warn_nonfinite(who, { info })
  viz.last_info = info
  return file
end

-- ---------------------------------------------------------------------------
-- attention

local attention_keys = merge(heatmap_keys, { layer = true, tokens = true, ids = true,
                                             show = true, x = true })

local function keeps(l)
  return type(l) == "table" and type(l.keeps_attention) == "function" and l:keeps_attention()
end

-- every layer of a model, nested models' layers too
local function each_layer(layers, fn)
  for _, l in ipairs(layers) do
    fn(l)
    if type(l.layers) == "table" then each_layer(l.layers, fn) end
  end
end

-- The layer whose weights to draw: obj itself, the model's layer named
-- name, or the model's only layer that keeps attention (with weights, when
-- they are to be read rather than computed).
local function find_attention_layer(who, obj, name, computing)
  if type(obj) ~= "table" then
    fail("%s: expected an attention layer or a model, got %s", who, type(obj))
  end
  local layer
  if name ~= nil then
    if type(obj.get_layer) ~= "function" then
      fail("%s: layer= needs a model, got %s", who, tostring(obj.name or obj))
    end
    layer = obj:get_layer(name)
  elseif keeps(obj) or type(obj.layers) ~= "table" then
    layer = obj
  else
    local found, with_weights = {}, {}
    each_layer(obj.layers, function(l)
      if keeps(l) then
        found[#found + 1] = l
        if l._last_attention ~= nil then with_weights[#with_weights + 1] = l end
      end
    end)
    if not computing and #with_weights > 0 then found = with_weights end
    if #found == 0 then
      fail("%s: %s '%s' has no layer that keeps attention (an attention layer, or a Dense with keep_output = true)",
           who, tostring(obj.class_name), tostring(obj.name))
    end
    if #found > 1 then
      local names = {}
      for i, l in ipairs(found) do names[i] = l.name end
      fail("%s: the model has %d layers with attention weights (%s): choose one with layer=",
           who, #found, table.concat(names, ", "))
    end
    layer = found[1]
  end
  if type(layer.last_attention) ~= "function" then
    fail("%s: %s has no attention weights (not an attention layer)", who,
         tostring(layer.name or layer))
  end
  local ok, err = pcall(layer.last_attention, layer)
  if not ok then fail("%s: %s", who, (tostring(err):gsub("^[^:]*:%d+: ", ""))) end
  return layer
end

-- The number of sequences in ids (a (batch, time) tensor or table of
-- rows), or nil for one sequence.
local function ids_batch(ids)
  if is_tensor(ids) then return ids.ndim == 2 and ids:size(0) or nil end
  if type(ids) == "table" and type(ids[1]) == "table" then return #ids end
  return nil
end

-- The labels of one sequence: tokens is a list of strings, or a
-- vocabulary (id -> string, as data tasks' info.tokens) used with ids.
local function token_labels(who, tokens, ids, sample, n)
  if tokens == nil then return nil end
  if type(tokens) ~= "table" then
    fail("%s: tokens must be a list of strings or a vocabulary, got %s", who, type(tokens))
  end
  if ids == nil then
    if #tokens ~= n then
      fail("%s: tokens has %d labels but the attention has %d positions " ..
           "(for a vocabulary such as info.tokens, pass ids= too)", who, #tokens, n)
    end
    return tokens
  end
  local row = ids
  if is_tensor(ids) then
    if ids.ndim == 2 then
      row = pick(who, ids, sample or 0, "sample", "sequences in ids")
    elseif ids.ndim ~= 1 then
      fail("%s: ids must be a (batch, time) tensor or one sequence, got shape %s", who,
           shape_str(ids))
    end
    row = row:totable()
  elseif type(ids) == "table" and type(ids[1]) == "table" then
    row = ids[(sample or 0) + 1]
  end
  if type(row) ~= "table" or #row ~= n then
    fail("%s: ids has %s positions but the attention has %d", who,
         type(row) == "table" and tostring(#row) or "no", n)
  end
  local out = {}
  for i, id in ipairs(row) do
    local key = math.tointeger(id) or id
    out[i] = tokens[key] ~= nil and tostring(tokens[key]) or tostring(key)
  end
  return out
end

-- The attention of sample `sample` of x, computed: the model runs on that
-- sample alone (no training, no gradients) and the layer's weights are
-- read; every layer's kept weights are then put back as they were.
-- Returns the weights, (1, ...), and the sample counted from 0.
local function attention_of_sample(who, model, layer, x, sample)
  if type(model.forward) ~= "function" or type(model.layers) ~= "table" then
    fail("%s: x= needs a model to run, as in viz.attention(model, {x = x_test, sample = 0, layer = \"name\"}); got %s",
         who, tostring(model.name or model))
  end
  local xs = is_tensor(x) and { x } or x
  if type(xs) ~= "table" or #xs == 0 then
    fail("%s: x must be the model's input (a tensor, or a list of tensors), got %s", who, type(x))
  end
  for i, xi in ipairs(xs) do
    if not is_tensor(xi) or xi.symbolic or xi.ndim == 0 then
      fail("%s: x must hold tensors with values and a batch axis; input %d is %s", who, i,
           is_tensor(xi) and shape_str(xi) or type(xi))
    end
    if xi:size(0) ~= xs[1]:size(0) then
      fail("%s: the inputs in x have different numbers of samples: %s and %s", who,
           shape_str(xs[1]), shape_str(xi))
    end
  end
  local n = xs[1]:size(0)
  local s = sample or 0
  if not util.is_integer(s) then
    fail("%s: sample must be an integer, got %s", who, util.show(s))
  end
  if s < 0 then s = s + n end
  if s < 0 or s >= n then
    fail("%s: sample %s is out of range for %d samples in x (0 to %d)", who,
         util.show(sample), n, n - 1)
  end
  s = math.tointeger(s)
  local one = {}
  for i, xi in ipairs(xs) do one[i] = xi:slice(0, s, s + 1) end
  local saved = {}
  each_layer({ model }, function(l)
    if type(l) == "table" and rawget(l, "_last_attention") ~= nil then saved[l] = l._last_attention end
  end)
  local cleared = {}
  each_layer({ model }, function(l) if keeps(l) then cleared[#cleared + 1] = l end end)
  for _, l in ipairs(cleared) do l._last_attention = nil end
  local ok, err = pcall(core.no_grad, function()
    return model:forward(is_tensor(x) and one[1] or one, false)
  end)
  local w = layer._last_attention
  for _, l in ipairs(cleared) do l._last_attention = saved[l] end
  if not ok then error(err, 0) end
  if w == nil then
    fail("%s: running %s on sample %d did not call layer '%s'", who,
         tostring(model.name), s, tostring(layer.name))
  end
  return w, s, n
end

-- The columns to label when not all fit (one label every `step` columns
-- at most): first the columns the map is about, the highest-weight ones,
-- then a regular grid around them; none closer than `step` to another.
local function thin_labels(t, step)
  local rows, cols = t:size(0), t:size(1)
  local mean = {}
  local m = t:totable()
  for j = 1, cols do
    local s, k = 0, 0
    for i = 1, rows do
      local v = m[i][j]
      if v == v and v ~= math.huge and v ~= -math.huge then s, k = s + v, k + 1 end
    end
    mean[j] = k > 0 and s / k or -math.huge
  end
  local order = {}
  for j = 1, cols do order[j] = j end
  table.sort(order, function(a, b)
    if mean[a] ~= mean[b] then return mean[a] > mean[b] end
    return a < b
  end)
  local fits = (cols + step - 1) // step
  local top = math.max(1, fits // 4)
  local chosen, taken = {}, {}
  local function try(j)
    for d = -step + 1, step - 1 do
      if taken[j + d] then return end
    end
    taken[j] = true
    chosen[#chosen + 1] = j - 1
  end
  local best = mean[order[1]]
  for r = 1, math.min(top, cols) do
    local j = order[r]
    -- the bright columns: well above the rest, or the brightest one
    if r == 1 or (best > 0 and mean[j] >= 0.5 * best) then try(j) end
  end
  for j = 1, cols, step do try(j) end
  table.sort(chosen)
  return chosen
end

-- viz.attention(layer_or_model, opts) -> path | nil, message
function viz.attention(obj, opts)
  local who = "viz.attention"
  opts = util.check_options(who, opts, attention_keys)
  local layer = find_attention_layer(who, obj, opts.layer, opts.x ~= nil)
  local w, sample, head, ids = nil, nil, nil, opts.ids
  if opts.x ~= nil then
    local n
    w, sample, n = attention_of_sample(who, obj, layer, opts.x, opts.sample)
    local nids = ids_batch(ids)
    if nids and nids ~= n then
      fail("%s: ids has %d sequences but x has %d samples", who, nids, n)
    end
    if ids == nil and opts.tokens ~= nil and is_tensor(opts.x) and opts.x.ndim == 2 then
      ids = opts.x
    end
  else
    w = layer:last_attention()
    if w == nil then
      fail("%s: layer '%s' has no attention weights yet: call the model on data first " ..
           "(model:predict(x)), or pass x = ... to compute them", who, tostring(layer.name))
    end
    local nids = ids_batch(ids)
    if nids and is_tensor(w) and not w.symbolic and w.ndim >= 3 and nids ~= w:size(0) then
      fail("%s: ids has %d sequences but the attention kept by '%s' has %d samples " ..
           "(its last call ran on %d); run the model on those ids first " ..
           "(model:predict(ids)), or pass x = ids to compute the sample",
           who, nids, tostring(layer.name), w:size(0), w:size(0))
    end
  end
  local o = {}
  for k, v in pairs(opts) do
    if heatmap_keys[k] then o[k] = v end
  end
  local t
  if sample ~= nil then -- computed: w holds that sample alone
    local _
    t, _, head = to_matrix(who, w, { sample = 0, head = opts.head })
  else
    t, sample, head = to_matrix(who, w, opts)
  end
  local tq, tk = t:size(0), t:size(1)
  local axes = type(layer.attention_axes) == "function" and layer:attention_axes()
               or { rows = "query position", cols = "key position" }
  local labels = token_labels(who, opts.tokens, ids, sample, tk)
  o.xlabels = opts.xlabels or labels
  if opts.ylabels then
    o.ylabels = opts.ylabels
  elseif labels and tq == tk and axes.rows == "query position" then
    o.ylabels = labels -- self-attention: the queries are the keys
  end
  o.sample, o.head = nil, nil
  if o.title == nil then
    local parts = {}
    if sample then parts[#parts + 1] = "sample " .. sample end
    if head then parts[#parts + 1] = "head " .. head end
    o.title = string.format("attention of %s%s", tostring(layer.name or "the layer"),
                            #parts > 0 and " (" .. table.concat(parts, ", ") .. ")" or "")
  end
  if o.xlabel == nil then o.xlabel = axes.cols end
  if o.ylabel == nil then o.ylabel = axes.rows end
  -- the scale runs from the smallest weight to the largest, as in
  -- viz.heatmap: forcing 0 would wash out a map whose weights are close
  -- (vmin = 0 asks for it)
  if o.vmax ~= nil and o.vmin ~= nil and o.vmin >= o.vmax then o.vmin = nil end
  if o.colorbar_label == nil then o.colorbar_label = "weight" end
  local file = check_file(who, opts, "attention.png")
  if opts.show then viz.show(t, { xlabels = o.xlabels, ylabels = o.ylabels, title = o.title }) end

  -- drawn as viz.heatmap draws; then, when the column labels had to be
  -- thinned: wider, so that every label fits (when the size is automatic
  -- and stays below 3000 units), else with the labels of the brightest
  -- columns kept
  local panel = make_panel(who, t, o)
  local function draw(width, height)
    local infos, err = core.viz.heatmap(file, { panel }, figure(who, merge(o, {
      width = width, height = height })))
    return infos and infos[1], err
  end
  local width, height = o.width, o.height
  local info, err = draw(width, height)
  if not info then return nil, err end
  if info.xstep > 1 and width == nil then
    -- a column needs about one line of tick text (16 units at scale 1),
    -- more than (xstep - 1) cells and at most xstep of them
    local s, cw, step = o.scale or 1, info.cell_w, info.xstep
    local cap = math.min(3000 * s, 10000)
    for _, need in ipairs { math.max((step - 1) * cw, math.min(16 * s, step * cw)), step * cw } do
      local wide = math.ceil(info.width + tk * (need - cw))
      if wide > cap then break end
      local wider, err2 = draw(wide, height or info.height)
      if not wider then return nil, err2 end
      if wider.xstep == 1 then
        info, width, height = wider, wide, height or info.height
        break
      end
    end
  end
  if info.xstep > 1 then
    panel.xticks = thin_labels(t, math.tointeger(info.xstep) or math.ceil(info.xstep))
    info, err = draw(width, height)
    if not info then return nil, err end
    info.xticks = panel.xticks
  end
  warn_nonfinite(who, { info })
  viz.last_info = info
  viz.last_info.data = t
  return file
end

-- ---------------------------------------------------------------------------
-- the terminal

local lut_cache = {}
local function lut(name)
  local key = name or "viridis"
  if not lut_cache[key] then lut_cache[key] = core.viz.colormap(name) end
  return lut_cache[key]
end

local function range_of(rows, opts, diverging)
  local lo, hi = math.huge, -math.huge
  for _, r in ipairs(rows) do
    for _, v in ipairs(r) do
      if v == v and v ~= math.huge and v ~= -math.huge then
        if v < lo then lo = v end
        if v > hi then hi = v end
      end
    end
  end
  if lo > hi then lo, hi = 0, 1 end
  if diverging and opts.vmin == nil and opts.vmax == nil then
    local m = math.max(math.abs(lo), math.abs(hi))
    lo, hi = -m, m
  end
  lo, hi = opts.vmin or lo, opts.vmax or hi
  if not (lo < hi) then
    if opts.vmin then hi = lo + 1
    elseif opts.vmax then lo = hi - 1
    else local d = lo == 0 and 0.5 or math.abs(lo) * 0.5; lo, hi = lo - d, hi + d end
  end
  return lo, hi
end

-- Averages a list of rows down to at most maxr rows and maxc columns
-- (non-finite values are left out of the means; a group of only NaN is NaN).
local function shrink(rows, maxr, maxc)
  local nr, nc = #rows, #rows[1]
  local gr, gc = math.min(nr, maxr), math.min(nc, maxc)
  if gr == nr and gc == nc then return rows, 1, 1 end
  local out = {}
  for i = 1, gr do
    local r0, r1 = (i - 1) * nr // gr + 1, i * nr // gr
    local row = {}
    for j = 1, gc do
      local c0, c1 = (j - 1) * nc // gc + 1, j * nc // gc
      local s, n = 0, 0
      for a = r0, r1 do
        for b = c0, c1 do
          local v = rows[a][b]
          if v == v and v ~= math.huge and v ~= -math.huge then s, n = s + v, n + 1 end
        end
      end
      row[j] = n > 0 and s / n or 0 / 0
    end
    out[i] = row
  end
  return out, nr / gr, nc / gc
end

-- display width of a UTF-8 string (East Asian wide characters count 2)
local function utf8_width(s)
  local w = 0
  for _, c in utf8.codes(s, true) do
    if (c >= 0x1100 and c <= 0x115F) or (c >= 0x2E80 and c <= 0xA4CF) or
       (c >= 0xAC00 and c <= 0xD7A3) or (c >= 0xF900 and c <= 0xFAFF) or
       (c >= 0xFE30 and c <= 0xFE4F) or (c >= 0xFF00 and c <= 0xFF60) or
       (c >= 0xFFE0 and c <= 0xFFE6) or (c >= 0x20000 and c <= 0x3FFFD) then
      w = w + 2
    elseif c >= 0x20 then
      w = w + 1
    end
  end
  return w
end

-- s cut or padded to exactly w display columns (right-aligned when right)
local function fit(s, w, right)
  if not utf8.len(s) then s = s:gsub("[\128-\255]", "?") end
  local sw = utf8_width(s)
  if sw > w then
    local out, used = {}, 0
    for _, c in utf8.codes(s, true) do
      local ch = utf8.char(c)
      local cw = utf8_width(ch)
      if used + cw > w - 1 then break end
      out[#out + 1] = ch
      used = used + cw
    end
    s = table.concat(out) .. string.rep(".", w - used)
    sw = w
  end
  local pad = string.rep(" ", w - sw)
  return right and pad .. s or s .. pad
end

local function fmt_num(v)
  if v ~= v then return "nan" end
  local a = math.abs(v)
  if a ~= 0 and (a >= 1e5 or a < 1e-3) then return string.format("%.2e", v) end
  local s = string.format("%.3f", v):gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end

local function colour_mode(opts)
  if opts.mode ~= nil then
    local ok = { truecolor = true, ["256"] = true, ascii = true }
    local m = tostring(opts.mode)
    if not ok[m] then
      fail("viz.show: mode must be \"truecolor\", \"256\" or \"ascii\", got %s", util.show(opts.mode))
    end
    return m
  end
  local no_color = os.getenv("NO_COLOR")
  if (no_color and no_color ~= "") or not core.isatty() then return "ascii" end
  local term, colorterm = os.getenv("TERM") or "", os.getenv("COLORTERM") or ""
  if term == "dumb" then return "ascii" end
  if colorterm == "truecolor" or colorterm == "24bit" then return "truecolor" end
  if term:find("256color", 1, true) then return "256" end
  return "truecolor"
end

local function xterm256(r, g, b)
  local function q(c) return math.floor(c / 255 * 5 + 0.5) end
  return 16 + 36 * q(r) + 6 * q(g) + q(b)
end

local function sgr(mode, fg, bg)
  local out = {}
  if mode == "truecolor" then
    if fg then out[#out + 1] = string.format("38;2;%d;%d;%d", fg[1], fg[2], fg[3]) end
    if bg then out[#out + 1] = string.format("48;2;%d;%d;%d", bg[1], bg[2], bg[3]) end
  else
    if fg then out[#out + 1] = "38;5;" .. xterm256(fg[1], fg[2], fg[3]) end
    if bg then out[#out + 1] = "48;5;" .. xterm256(bg[1], bg[2], bg[3]) end
  end
  return "\27[" .. table.concat(out, ";") .. "m"
end

local RESET = "\27[0m"
local SHADES = " .:-=+*#%@"
local NAN_RGB = { 128, 128, 128 }

local show_keys = { title = true, xlabels = true, ylabels = true, cmap = true,
                    vmin = true, vmax = true, sample = true, head = true,
                    width = true, mode = true, to_string = true, max_rows = true }

-- viz.show(m, opts): prints the matrix with coloured half blocks (two rows
-- a line), row and column labels and a colour scale. opts.mode forces
-- "truecolor", "256" or "ascii"; opts.width the terminal width (COLUMNS
-- or 80); opts.to_string returns the text instead of printing it.
function viz.show(m, opts)
  local who = "viz.show"
  opts = util.check_options(who, opts, show_keys)
  local t = to_matrix(who, m, opts)
  check_cmap(who, opts.cmap)
  local nr0, nc0 = t:size(0), t:size(1)
  local xl = labels_of(who, "xlabels", opts.xlabels, nc0, "columns")
  local yl = labels_of(who, "ylabels", opts.ylabels, nr0, "rows")
  local vmin0, vmax0 = check_number(who, opts, "vmin"), check_number(who, opts, "vmax")
  if vmin0 and vmax0 and not (vmin0 < vmax0) then
    fail("%s: vmin (%s) must be less than vmax (%s)", who, util.show(vmin0), util.show(vmax0))
  end
  local mode = colour_mode(opts)
  local width = check_number(who, opts, "width") or tonumber(os.getenv("COLUMNS") or "") or 80
  width = math.max(20, math.floor(width))
  local colours = lut(opts.cmap)
  local rows = t:totable()

  -- the row labels' column
  local label_w = 0
  local ascii = mode == "ascii"
  local per_line = ascii and 1 or 2
  local function row_label(i0, i1)
    -- rows i0..i1 (0-based, of the original matrix) on one line
    if yl then
      if i1 > i0 and not ascii then
        return yl[i0 + 1] .. "/" .. yl[math.min(i1, nr0 - 1) + 1]
      end
      return yl[i0 + 1]
    end
    if i1 > i0 then return string.format("%d-%d", i0, i1) end
    return tostring(i0)
  end
  -- shrink to the width, then measure labels
  local max_rows = (opts.max_rows or 60) * per_line
  local cols_avail = math.max(8, width - 16)
  rows = shrink(rows, max_rows, cols_avail)
  local vmin, vmax = range_of(rows, opts, colours.diverging)
  local nr, nc = #rows, #rows[1]
  local rstep, cstep = nr0 / nr, nc0 / nc
  local function orig_rows(i) -- shrunk row i (1-based) -> original 0-based range, as shrink cuts
    return (i - 1) * nr0 // nr, math.max(i * nr0 // nr - 1, 0)
  end
  local lines_labels = {}
  for i = 1, nr, per_line do
    local a = orig_rows(i)
    local _, b = orig_rows(math.min(i + per_line - 1, nr))
    local l = row_label(a, b)
    lines_labels[#lines_labels + 1] = l
    label_w = math.max(label_w, utf8_width(l))
  end
  label_w = math.min(label_w, 14)
  local out = {}
  local function emit(s) out[#out + 1] = s end
  if opts.title then emit(tostring(opts.title)) end
  local function colour_of(v)
    if v ~= v then return NAN_RGB end
    local tt = (v - vmin) / (vmax - vmin)
    local idx = tt <= 0 and 0 or tt >= 1 and 255 or math.min(255, math.floor(tt * 256))
    return colours[idx + 1]
  end
  local function shade_of(v)
    if v ~= v then return "?" end
    local tt = (v - vmin) / (vmax - vmin)
    local k = math.floor(math.max(0, math.min(1, tt)) * (#SHADES - 1) + 0.5)
    return SHADES:sub(k + 1, k + 1)
  end
  local li = 0
  for i = 1, nr, per_line do
    li = li + 1
    local line = { fit(lines_labels[li], label_w, true), " " }
    if ascii then
      for j = 1, nc do line[#line + 1] = shade_of(rows[i][j]) end
    else
      for j = 1, nc do
        local top = colour_of(rows[i][j])
        local bottom = rows[i + 1] and colour_of(rows[i + 1][j]) or nil
        line[#line + 1] = sgr(mode, top, bottom) .. "\u{2580}"
      end
      line[#line + 1] = RESET
    end
    emit(table.concat(line))
  end
  -- the column axis: ticks every few columns, labels vertical when short
  local pad = string.rep(" ", label_w + 1)
  local tick_every = nc <= 10 and 1 or (nc <= 40 and 5 or 10)
  local marks, nums = {}, {}
  for c = 1, nc do marks[c], nums[c] = " ", " " end
  local free = 1 -- the first column where a number may start
  for c = 1, nc, tick_every do
    marks[c] = "'"
    local label = tostring((c - 1) * nc0 // nc)
    if c >= free and c + #label - 1 <= nc + 4 then
      for k = 1, #label do nums[c + k - 1] = label:sub(k, k) end
      free = c + #label + 1
    end
  end
  local show_vertical = xl and cstep == 1
  if show_vertical then
    local maxlen = 0
    for _, l in ipairs(xl) do
      if utf8_width(l) ~= utf8.len(l) then show_vertical = false end
      maxlen = math.max(maxlen, utf8.len(l) or #l)
    end
    if maxlen > 8 then show_vertical = false end
    if show_vertical then
      for k = 1, maxlen do
        local line = {}
        for c = 1, nc do
          local l = xl[c]
          local len = utf8.len(l)
          local ch = " "
          if k <= len then ch = l:sub(utf8.offset(l, k), utf8.offset(l, k + 1) - 1) end
          line[c] = ch
        end
        emit(pad .. table.concat(line))
      end
    end
  end
  if not show_vertical then
    emit(pad .. table.concat(marks))
    emit((pad .. table.concat(nums)):gsub("%s+$", ""))
    if xl then
      local parts = {}
      for c = 1, nc0 do parts[#parts + 1] = (c - 1) .. ":" .. xl[c] end
      local text, line = {}, "columns:"
      for _, p in ipairs(parts) do
        if utf8_width(line) + 1 + utf8_width(p) > width then
          text[#text + 1] = line
          line = "  "
        end
        line = line .. " " .. p
      end
      text[#text + 1] = line
      for _, l in ipairs(text) do emit(l) end
    end
  end
  if cstep ~= 1 or rstep ~= 1 then
    emit(string.format("(%d x %d shown as %d x %d, averaged)", nr0, nc0, nr, nc))
  end
  -- the colour scale
  local scale = {}
  if ascii then
    scale[1] = string.format("%s [%s] %s", fmt_num(vmin), SHADES, fmt_num(vmax))
  else
    local n = math.min(32, math.max(10, width - 24))
    scale[#scale + 1] = fmt_num(vmin) .. " "
    for k = 0, n - 1 do
      local idx = math.floor(k * 255 / (n - 1) + 0.5)
      scale[#scale + 1] = sgr(mode, nil, colours[idx + 1]) .. " "
    end
    scale[#scale + 1] = RESET .. " " .. fmt_num(vmax)
  end
  emit(table.concat(scale))
  local text = table.concat(out, "\n") .. "\n"
  if opts.to_string then return text end
  io.write(text)
  io.flush()
end

-- ---------------------------------------------------------------------------
-- training curves

local plot_keys = { file = true, title = true, xlabel = true, ylabel = true,
                    width = true, height = true, scale = true, metrics = true,
                    labels = true, x0 = true }

local function numbers(who, name, list)
  if is_tensor(list) then
    if list.ndim ~= 1 then
      fail("%s: series '%s' must be 1-D, got shape %s", who, name, shape_str(list))
    end
    list = list:totable()
  end
  if type(list) ~= "table" then
    fail("%s: series '%s' must be a list of numbers, got %s", who, name, type(list))
  end
  local n = 0
  for k in pairs(list) do
    if math.type(k) ~= "integer" or k < 1 then
      fail("%s: series '%s' must be a list of numbers", who, name)
    end
    if k > n then n = k end
  end
  if n == 0 then fail("%s: series '%s' is empty", who, name) end
  local out = {}
  for i = 1, n do
    local v = list[i]
    if v ~= nil and type(v) ~= "number" then
      fail("%s: series '%s' value %d is %s, not a number", who, name, i, type(v))
    end
    out[i] = v or 0 / 0
  end
  return out
end

-- viz.plot(history, opts) -> path | nil, message
--   history: what model:fit returns, or its .history ({loss = {...},
--   val_loss = {...}, accuracy = {...}}), a list of numbers, or a list of
--   lists; viz.plot{s1, s2, file=..., labels={...}} takes the options in
--   the same table.
function viz.plot(h, opts)
  local who = "viz.plot"
  if type(h) ~= "table" and not is_tensor(h) then
    fail("%s: expected a history (from model:fit) or lists of numbers, got %s", who, type(h))
  end
  local data = h
  if type(h) == "table" and type(h.history) == "table" then data = h.history end
  -- options may sit in the same table as the series
  local o = {}
  if data == h and not is_tensor(h) then
    local d = {}
    for k, v in pairs(h) do
      if type(k) == "string" and plot_keys[k] then o[k] = v else d[k] = v end
    end
    data = d
  end
  for k, v in pairs(opts or {}) do o[k] = v end
  util.check_options(who, o, plot_keys)
  local file = check_file(who, o, "history.png")
  local series = {}
  if is_tensor(data) or (type(data) == "table" and type(data[1]) == "number") then
    series[1] = { name = o.labels and o.labels[1] or nil, values = numbers(who, "1", data) }
  elseif type(data) == "table" and #data > 0 then
    for i, s in ipairs(data) do
      local name = o.labels and o.labels[i] or ("series " .. i)
      series[i] = { name = tostring(name), values = numbers(who, tostring(name), s), colour = i - 1 }
    end
  else
    local keys = {}
    for k, v in pairs(data) do
      if type(k) == "string" then keys[#keys + 1] = k end
    end
    if o.metrics then
      if type(o.metrics) ~= "table" then fail("%s: metrics must be a list of names", who) end
      local want = {}
      for _, k in ipairs(o.metrics) do
        if data[k] == nil then
          fail("%s: no metric '%s' in the history (it has: %s)", who, tostring(k),
               table.concat(util.sorted_keys(data), ", "))
        end
        want[k] = true
        if data["val_" .. k] ~= nil then want["val_" .. k] = true end
      end
      keys = util.sorted_keys(want)
    end
    -- loss first, each val_x after x, in one colour, dashed
    local base = {}
    for _, k in ipairs(keys) do base[#base + 1] = k:match("^val_(.*)$") or k end
    local order, seen = {}, {}
    table.sort(keys, function(a, b)
      local ba, bb = a:match("^val_(.*)$") or a, b:match("^val_(.*)$") or b
      if ba ~= bb then
        if ba == "loss" then return true end
        if bb == "loss" then return false end
        return ba < bb
      end
      return #a < #b
    end)
    for _, k in ipairs(keys) do
      local b = k:match("^val_(.*)$") or k
      if not seen[b] then order[#order + 1] = b; seen[b] = #order end
    end
    for _, k in ipairs(keys) do
      local b = k:match("^val_(.*)$") or k
      local val = k ~= b
      series[#series + 1] = { name = (val and "validation " or "training ") .. b,
                              values = numbers(who, k, data[k]), colour = seen[b] - 1,
                              dashed = val }
    end
    if o.labels == nil and #order == 1 and not data["val_" .. order[1]] then
      series[1].name = order[1]
    end
    if o.ylabel == nil then o.ylabel = (#order == 1) and order[1] or "value" end
    if o.xlabel == nil then o.xlabel = "epoch" end
  end
  if #series == 0 then fail("%s: nothing to plot: the history is empty", who) end
  local fig = figure(who, o, {
    title = check_string(who, o, "title"), xlabel = check_string(who, o, "xlabel"),
    ylabel = check_string(who, o, "ylabel"), x0 = check_number(who, o, "x0") })
  local info, err = core.viz.plot(file, series, fig)
  if not info then return nil, err end
  if info.nonfinite > 0 then
    io.stderr:write(string.format("%s: warning: %d value%s NaN or infinite; left out\n",
                                  who, info.nonfinite, info.nonfinite == 1 and " is" or "s are"))
  end
  viz.last_info = info
  return file
end

-- names of the colormaps
viz.colormaps = { "viridis", "magma", "inferno", "plasma", "cividis", "blues", "greys", "rdbu" }

-- The option names each function accepts (the tables its check_options
-- uses), for help, completion and tests/lua/test_docs.lua.
viz.option_names = { heatmap = heatmap_keys, grid = grid_keys, attention = attention_keys,
                     show = show_keys, plot = plot_keys, animate = animate_keys }

return viz
