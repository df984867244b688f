-- test_attention_maps.lua - the attention a learner sees is that of the
-- sample they name: predict and evaluate keep every sample's weights (the
-- batches joined in order, within the memory limit), viz.attention draws
-- the sample asked for (from the kept weights or computed with x=) and
-- refuses ids of another batch, last_attention() on a layer that keeps
-- none says how to get some, each layer kind names its axes and
-- viz.attention's titles follow, and column labels are all written when
-- they fit and keep the brightest columns when thinned.
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p '" .. tmp .. "'")
local function path(name) return tmp .. "/" .. name end

-- the text of a PDF, as pdftotext reads it
local function pdf_text(p)
  local pipe = io.popen("pdftotext '" .. p .. "' - 2>&1")
  local text = pipe:read("a")
  pipe:close()
  return text
end

-- recipe 3 on data.needle: Embedding(mask_zero), AttentionPooling, Dense
local function pooling_model(T, vocab)
  nn.clear_session()
  nn.seed(5)
  local ids = nn.Input { T }
  local pool = nn.AttentionPooling { name = "pool" }
  local e = nn.Embedding(vocab, 8, { mask_zero = true })(ids)
  local model = nn.Model(ids, nn.Dense(4, { activation = "softmax" })(pool(e)))
  model:compile { optimizer = "adam", loss = "sparse_categorical_crossentropy" }
  return model, pool
end

-- the weights of `layer` when `model` runs on sample i of x alone
local function alone(model, layer, x, i)
  tensor.no_grad(function() model(x:slice(0, i, i + 1)) end)
  return layer:last_attention()[0]
end

-- ---- predict, evaluate and a call keep every sample ------------------------

t.test("predict on 200 samples keeps (200, ...) weights; row 20 is sample 20 run alone", function()
  local x, y, info = data.needle { n = 200, length = 12, seed = 2 }
  local model, pool = pooling_model(12, info.vocab_size)
  local want20, want0, want199 = alone(model, pool, x, 20), alone(model, pool, x, 0), alone(model, pool, x, 199)
  model:predict(x) -- batch_size 32: 6 batches of 32 and one of 8
  local w = pool:last_attention()
  t.eq(tostring(w.shape), "(200, 1, 12)")
  t.near(w[20], want20, 1e-6, "row 20")
  t.near(w[0], want0, 1e-6, "row 0")
  t.near(w[199], want199, 1e-6, "row 199")
  -- any batch size gives the same rows, in the same order
  model:predict(x, { batch_size = 7 })
  t.near(pool:last_attention(), w, 1e-6, "batch_size 7")
  -- evaluate keeps them too
  model(x:slice(0, 0, 3))
  model:evaluate(x, y, { batch_size = 50 })
  t.eq(tostring(pool:last_attention().shape), "(200, 1, 12)")
  t.near(pool:last_attention()[20], want20, 1e-6, "evaluate, row 20")
  -- a model called on data keeps the samples it ran
  tensor.no_grad(function() model(x:slice(0, 10, 30)) end)
  t.eq(tostring(pool:last_attention().shape), "(20, 1, 12)")
  t.near(pool:last_attention()[10], want20, 1e-6, "model(x[10:30]), row 10")
end)

t.test("predict keeps the heads of MultiHeadAttention and the map of a softmax Dense", function()
  nn.clear_session()
  nn.seed(9)
  local inp = nn.Input { 6, 4 }
  local mha = nn.MultiHeadAttention { num_heads = 2, key_dim = 3, name = "mha" }
  local h = mha(inp, inp)
  local dense = nn.Dense(6, { activation = "softmax", keep_output = true, name = "soft" })
  local a = dense(tensor.transpose(h, { 0, 2, 1 }))
  local model = nn.Model(inp, tensor.sum(a, -1))
  local x = tensor.randn(45, 6, 4)
  local m20, d20 = nil, nil
  tensor.no_grad(function() model(x:slice(0, 20, 21)) end)
  m20, d20 = mha:last_attention()[0], dense:last_attention()[0]
  model:predict(x, { batch_size = 8 })
  t.eq(tostring(mha:last_attention().shape), "(45, 2, 6, 6)")
  t.eq(tostring(dense:last_attention().shape), "(45, 4, 6)")
  t.near(mha:last_attention()[20], m20, 1e-6, "mha row 20")
  t.near(dense:last_attention()[20], d20, 1e-6, "dense row 20")
end)

t.test("keeping every sample's weights past the memory limit is a clear error", function()
  nn.clear_session()
  nn.seed(2)
  local inp = nn.Input { 32, 4 }
  local sa = nn.SelfAttention(4, { name = "sa" })
  local model = nn.Model(inp, nn.GlobalAveragePooling1D()(sa(inp)))
  local x = tensor.randn(256, 32, 4)
  local used, old_limit = tensor.memory()
  local limit = used + 1024 * 1024 -- 1 MiB more: one batch runs, 256 samples' weights do not
  tensor.set_memory_limit(limit)
  local ok, err = pcall(model.predict, model, x)
  tensor.set_memory_limit(old_limit)
  t.truthy(not ok, "predict past the limit must fail")
  t.truthy(tostring(err):find("predict: keeping the attention weights of SelfAttention 'sa' for all 256 "
    .. "samples needs a (256, 32, 32) tensor, 1.0 MiB (twice that while the batches are joined), more than "
    .. "the memory limit leaves (1.0 MiB free of ", 1, true), tostring(err))
  t.truthy(tostring(err):find("); run fewer samples at a time (x:slice(0, 0, n)), or raise the limit with "
    .. "tensor.set_memory_limit", 1, true), tostring(err))
  -- and everything still works below it
  model:predict(x:slice(0, 0, 40))
  t.eq(tostring(sa:last_attention().shape), "(40, 32, 32)")
end)

-- ---- a layer that keeps none --------------------------------------------------

t.test("last_attention() on a layer that keeps none says how to get one", function()
  nn.clear_session()
  local dense = nn.Dense(20, { activation = "softmax" })
  dense(tensor.ones(2, 3, 5))
  t.eq(select(2, pcall(dense.last_attention, dense)):gsub("^[^:]*:%d+: ", ""),
       "Dense 'dense' keeps no attention: create it with keep_output = true, as in "
       .. "nn.Dense(20, {activation = \"softmax\", keep_output = true}), and run it again")
  local gru = nn.GRU(4)
  t.eq(select(2, pcall(gru.last_attention, gru)):gsub("^[^:]*:%d+: ", ""),
       "GRU 'gru' keeps no attention: only the attention layers (Attention, AdditiveAttention, "
       .. "MultiHeadAttention, AttentionPooling, SelfAttention, TimeAttention, ProbSparseAttention) "
       .. "and a Dense created with keep_output = true keep their weights")
  -- viz.attention says the same
  t.raises(function() viz.attention(dense, { file = path("none.png") }) end,
           "viz.attention: Dense 'dense' keeps no attention: create it with keep_output = true")
  -- an attention layer not called yet: nil, as before
  t.eq(nn.Attention():last_attention(), nil)
  t.eq(nn.Dense(3, { keep_output = true }):last_attention(), nil)
  t.eq(nn.Dense(3):keeps_attention(), false)
  t.eq(nn.AttentionPooling():keeps_attention(), true)
end)

-- ---- viz.attention draws the sample asked for ---------------------------------

t.test("viz.attention draws the map of the sample named, as run alone", function()
  local x, _, info = data.needle { n = 200, length = 12, seed = 2 }
  local model, pool = pooling_model(12, info.vocab_size)
  local want = alone(model, pool, x, 20)[0]:reshape { 1, 12 }
  model:predict(x)
  -- from the kept weights
  t.eq(viz.attention(pool, { sample = 20, tokens = info.tokens, ids = x, file = path("k.png") }),
       path("k.png"))
  t.near(viz.last_info.data, want, 1e-6, "the kept map of sample 20")
  -- computed: the model runs on sample 20 alone
  t.eq(viz.attention(model, { x = x, sample = 20, layer = "pool", tokens = info.tokens,
                              file = path("x.pdf") }), path("x.pdf"))
  t.near(viz.last_info.data, want, 0, "the computed map of sample 20")
  -- the kept weights are left as they were
  t.eq(tostring(pool:last_attention().shape), "(200, 1, 12)")
  -- the labels are sample 20's words (ids default to x)
  local text = pdf_text(path("x.pdf"))
  t.truthy(text:find("attention of pool (sample 20)", 1, true), text)
  local row = x[20]:totable()
  for _, id in ipairs(row) do
    local word = info.tokens[math.tointeger(id)]
    t.truthy(text:find(word, 1, true), "missing " .. word .. " in " .. text)
  end
  -- x= without a layer: the model's only attention layer; a negative sample counts from the end
  t.truthy(viz.attention(model, { x = x, sample = -180, file = path("neg.png") }))
  t.near(viz.last_info.data, want, 0, "sample -180 is sample 20")
  t.raises(function() viz.attention(model, { x = x, sample = 200, file = path("e.png") }) end,
           "viz.attention: sample 200 is out of range for 200 samples in x (0 to 199)")
  t.raises(function() viz.attention(pool, { x = x, sample = 0, file = path("e.png") }) end,
           "viz.attention: x= needs a model to run")
end)

t.test("viz.attention refuses ids of another batch than the kept weights", function()
  local x, _, info = data.needle { n = 200, length = 12, seed = 2 }
  local model, pool = pooling_model(12, info.vocab_size)
  tensor.no_grad(function() model(x:slice(0, 192, 200)) end) -- 8 samples, as a last batch
  t.eq(select(2, pcall(viz.attention, pool, { sample = 0, tokens = info.tokens, ids = x,
                                           file = path("mismatch.png") }))
         :gsub("^[^:]*:%d+: ", ""),
       "viz.attention: ids has 200 sequences but the attention kept by 'pool' has 8 samples "
       .. "(its last call ran on 8); run the model on those ids first (model:predict(ids)), "
       .. "or pass x = ids to compute the sample")
  t.raises(function()
    viz.attention(model, { x = x, sample = 0, tokens = info.tokens, ids = x:slice(0, 0, 5),
                           file = path("mismatch.png") })
  end, "viz.attention: ids has 5 sequences but x has 200 samples")
end)

-- ---- axes: each layer kind says what they are ---------------------------------

t.test("each layer kind names the rows and columns of its weights", function()
  nn.clear_session()
  local function axes(l) local a = l:attention_axes(); return a.rows .. " / " .. a.cols end
  for _, l in ipairs { nn.Attention(), nn.AdditiveAttention(),
                       nn.MultiHeadAttention { num_heads = 1, key_dim = 2 },
                       nn.SelfAttention(2), nn.ProbSparseAttention() } do
    t.eq(axes(l), "query position / key position", l.class_name)
  end
  t.eq(axes(nn.AttentionPooling()), "learned query / time step")
  t.eq(axes(nn.TimeAttention(5)), "feature / time step")
  -- recipe 1: Dense(T, softmax) over Dense(T, tanh) over transpose(h, {0, 2, 1})
  local inp = nn.Input { 64, 32 }
  local h = nn.Bidirectional(nn.GRU(4, { return_sequences = true }))(inp)
  local tl = tensor.transpose(h, { 0, 2, 1 })
  local soft = nn.Dense(64, { activation = "softmax", use_bias = false, keep_output = true })
  soft(nn.Dense(64, { activation = "tanh" })(tl))
  t.eq(axes(soft), "feature / time step", "recipe 1")
  -- Keras's attention_3d_block: Permute((2, 1)) then Dense(T, softmax)
  local p = nn.Dense(64, { activation = "softmax", keep_output = true })
  p(nn.Permute { 2, 1 }(h))
  t.eq(axes(p), "feature / time step", "Permute{2, 1}")
  -- a softmax Dense on a (batch, time, features) sequence
  local s = nn.Dense(3, { activation = "softmax", keep_output = true })
  s(h)
  t.eq(axes(s), "time step / unit", "over time steps")
  -- called only on data, it cannot tell
  local d = nn.Dense(3, { activation = "softmax", keep_output = true })
  d(tensor.ones(1, 4, 2))
  t.eq(axes(d), "axis 1 of the input / unit", "only data")
end)

t.test("viz.attention titles the recipe-1 softmax Dense's axes feature and time step", function()
  nn.clear_session()
  nn.seed(4)
  local T = 16
  local inp = nn.Input { T, 3 }
  local h = nn.Bidirectional(nn.GRU(4, { return_sequences = true }))(inp)
  local tl = tensor.transpose(h, { 0, 2, 1 })
  local soft = nn.Dense(T, { activation = "softmax", use_bias = false, keep_output = true })
  local model = nn.Model(inp, tensor.sum(nn.Multiply()({ tl, soft(nn.Dense(T, { activation = "tanh" })(tl)) }), -1))
  model:predict(tensor.randn(3, T, 3))
  t.truthy(viz.attention(model, { sample = 1, file = path("r1.pdf") }))
  local text = pdf_text(path("r1.pdf"))
  t.truthy(text:find("feature", 1, true) and text:find("time step", 1, true), text)
  t.truthy(not text:find("query position", 1, true) and not text:find("key position", 1, true), text)
  -- an nn.Attention keeps query and key positions; AttentionPooling its time steps
  local att = nn.Attention()
  att { tensor.randn(1, 3, 2), tensor.randn(1, 4, 2) }
  t.truthy(viz.attention(att, { file = path("qk.pdf") }))
  text = pdf_text(path("qk.pdf"))
  t.truthy(text:find("query position", 1, true) and text:find("key position", 1, true), text)
  local pool = nn.AttentionPooling()
  pool(tensor.randn(1, 5, 2))
  t.truthy(viz.attention(pool, { file = path("pool.pdf") }))
  text = pdf_text(path("pool.pdf"))
  t.truthy(text:find("time step", 1, true) and text:find("learned query", 1, true), text)
  -- xlabel= and ylabel= still win
  t.truthy(viz.attention(pool, { file = path("own.pdf"), xlabel = "word", ylabel = "" }))
  text = pdf_text(path("own.pdf"))
  t.truthy(text:find("word", 1, true) and not text:find("time step", 1, true), text)
end)

-- ---- column labels ------------------------------------------------------------

-- AttentionPooling over (1, T, 1) with its weight on step `peak`
local function peaked(T, peak)
  nn.clear_session()
  local pool = nn.AttentionPooling()
  local x = tensor.zeros(1, T, 1)
  pool(x)
  pool:set_weights { tensor.ones(1, 1) }
  local v = {}
  for i = 1, T do v[i] = { i - 1 == peak and 6 or (i % 3) * 0.1 } end
  pool(tensor.from { v })
  local words = {}
  for i = 1, T do words[i] = "t" .. (i - 1) end
  return pool, words
end

t.test("viz.attention writes every token when the labels fit", function()
  local pool, words = peaked(60, 37)
  -- 60 columns at the automatic size would label every other one; the
  -- image grows to label them all
  t.truthy(viz.attention(pool, { tokens = words, file = path("all.pdf") }))
  t.eq(viz.last_info.xstep, 1)
  t.eq(viz.last_info.xticks, nil)
  local text = pdf_text(path("all.pdf"))
  for _, w in ipairs(words) do
    t.truthy(text:find("%f[%w]" .. w .. "%f[%W]"), "missing " .. w .. " in " .. text)
  end
  -- an SVG too, of the same size
  local width = viz.last_info.width
  t.truthy(viz.attention(pool, { tokens = words, file = path("all.svg") }))
  t.eq(viz.last_info.width, width)
end)

t.test("thinned labels keep the tokens the map is about", function()
  local pool, words = peaked(60, 37)
  t.truthy(viz.attention(pool, { tokens = words, file = path("thin.pdf"), width = 400 }))
  local info = viz.last_info
  t.truthy(info.xstep > 1, "at width 400 the labels must be thinned, xstep " .. info.xstep)
  local shown = {}
  for _, j in ipairs(info.xticks) do shown[j] = true end
  t.truthy(shown[37], "the highest-weight column 37 keeps its label")
  for k = 2, #info.xticks do
    t.truthy(info.xticks[k] - info.xticks[k - 1] >= info.xstep,
             "labels " .. info.xticks[k - 1] .. " and " .. info.xticks[k] .. " overlap")
  end
  t.truthy(#info.xticks >= 60 // info.xstep - 2, #info.xticks .. " labels for step " .. info.xstep)
  local text = pdf_text(path("thin.pdf"))
  t.truthy(text:find("%f[%w]t37%f[%W]"), "t37 is drawn: " .. text)
  t.truthy(not text:find("%f[%w]t36%f[%W]") and not text:find("%f[%w]t38%f[%W]"),
           "its neighbours make room: " .. text)
  -- the same with index labels (no tokens)
  t.truthy(viz.attention(pool, { file = path("thin.png"), width = 400 }))
  local again = {}
  for _, j in ipairs(viz.last_info.xticks) do again[j] = true end
  t.truthy(again[37], "column 37 is labelled without tokens too")
end)

os.execute("rm -rf '" .. tmp .. "'")
t.done()
