-- test_data.lua - the `data` global: the toy attention tasks (needle,
-- marker, adding, sentiment) checked for their invariants, determinism
-- with seed= (and that seed= leaves the global stream alone), and Keras's
-- Tokenizer / pad_sequences / to_categorical against values worked out by
-- hand from Keras's documented behaviour.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function shape(x) return tostring(x.shape) end
local function same(got, want, what) t.near(got, want, 0, what) end
local T = tensor.from

local function equal_tensors(a, b)
  local ok = pcall(t.near, a, b, 0)
  return ok
end

local function int(v) return math.tointeger(v) end

-- ---- needle --------------------------------------------------------------

t.test("needle: shapes, defaults and info", function()
  local x, y, info = data.needle{ n = 7, seed = 1 }
  t.eq(shape(x), "(7, 20)")
  t.eq(shape(y), "(7,)")
  t.eq(shape(info.positions), "(7,)")
  t.eq(shape(info.lengths), "(7,)")
  t.eq(info.num_classes, 4)
  t.eq(info.vocab_size, 32)
  t.eq(info.tokens[0], "<pad>")
  t.eq(info.tokens[1], "k0")
  t.eq(info.tokens[4], "k3")
  t.eq(info.tokens[5], "w5")
  t.eq(info.tokens[31], "w31")
  t.eq(info.tokens[32], nil)
  x, y, info = data.needle{ n = 3, length = 9, vocab = 10, keys = 3, seed = 2 }
  t.eq(shape(x), "(3, 9)")
  t.eq(info.num_classes, 3)
  t.eq(info.vocab_size, 10)
  t.eq(info.tokens[3], "k2")
  t.eq(info.tokens[4], "w4")
end)

t.test("needle: one key per sequence, its label, padding only at the end",
       function()
  local keys, vocab, length = 5, 40, 16
  local x, y, info = data.needle{ n = 400, length = length, vocab = vocab,
                                  keys = keys, seed = 7 }
  local X, Y = x:totable(), y:totable()
  local P, L = info.positions:totable(), info.lengths:totable()
  local labels_seen, pos_seen, padded = {}, {}, 0
  for i = 1, #X do
    local row, nkeys, key_at, key_id, real = X[i], 0, nil, nil, 0
    for j = 1, length do
      local v = row[j]
      t.eq(v, math.floor(v), "token ids are integers")
      t.truthy(v >= 0 and v < vocab, "token in the vocabulary")
      if v ~= 0 then
        t.eq(real, j - 1, "row " .. i .. ": padding only at the end")
        real = j
      end
      if v >= 1 and v <= keys then
        nkeys = nkeys + 1; key_at = j - 1; key_id = v
      end
    end
    t.eq(nkeys, 1, "row " .. i .. ": exactly one key")
    t.eq(Y[i], key_id - 1, "row " .. i .. ": the label is the key")
    t.eq(info.tokens[int(key_id)], "k" .. int(Y[i]))
    t.eq(P[i], key_at, "row " .. i .. ": positions holds the key")
    t.eq(L[i], real, "row " .. i .. ": lengths")
    t.truthy(real >= 4, "at least a few real tokens (max(3, 16 // 4) = 4)")
    if real < length then padded = padded + 1 end
    labels_seen[int(Y[i])] = true
    pos_seen[int(P[i])] = true
  end
  for k = 0, keys - 1 do t.truthy(labels_seen[k], "label " .. k) end
  for p = 0, length - 1 do t.truthy(pos_seen[p], "position " .. p) end
  t.truthy(padded > 200, "most sequences are padded")
end)

t.test("needle: short sequences keep their real tokens", function()
  local x = data.needle{ n = 50, length = 3, vocab = 6, keys = 2, seed = 3 }
  for _, row in ipairs(x:totable()) do
    for j = 1, 3 do t.truthy(row[j] ~= 0, "no padding when length = 3") end
  end
end)

-- ---- marker ---------------------------------------------------------------

t.test("marker: shapes, info, the label is the token after the marker",
       function()
  local length, vocab = 12, 9
  local x, y, info = data.marker{ n = 300, length = length, vocab = vocab,
                                  seed = 11 }
  t.eq(shape(x), "(300, 12)")
  t.eq(shape(y), "(300,)")
  t.eq(shape(info.positions), "(300,)")
  t.eq(info.num_classes, 7)
  t.eq(info.vocab_size, 9)
  t.eq(info.marker, 8)
  t.eq(info.tokens[0], "<pad>")
  t.eq(info.tokens[8], "<mark>")
  t.eq(info.tokens[1], "w1")
  t.eq(info.tokens[7], "w7")
  local X, Y, P = x:totable(), y:totable(), info.positions:totable()
  local labels, at_seen = {}, {}
  for i = 1, #X do
    local marks, at = 0, nil
    for j = 1, length do
      local v = X[i][j]
      t.truthy(v >= 1 and v <= vocab - 1, "no padding, ids in range")
      if v == info.marker then marks = marks + 1; at = j - 1 end
    end
    t.eq(marks, 1, "row " .. i .. ": exactly one marker")
    t.truthy(at < length - 1, "the marker is never last")
    t.eq(P[i], at + 1, "positions: the token after the marker")
    t.eq(Y[i], X[i][at + 2] - 1, "row " .. i .. ": label = next token - 1")
    t.truthy(Y[i] >= 0 and Y[i] < info.num_classes, "label range")
    labels[int(Y[i])] = true
    at_seen[at] = true
  end
  for c = 0, 6 do t.truthy(labels[c], "class " .. c .. " occurs") end
  for p = 0, length - 2 do t.truthy(at_seen[p], "marker at " .. p) end
end)

t.test("marker: defaults", function()
  local x, y, info = data.marker{ n = 2, seed = 1 }
  t.eq(shape(x), "(2, 20)")
  t.eq(info.vocab_size, 12)
  t.eq(info.num_classes, 10)
end)

-- ---- adding ---------------------------------------------------------------

t.test("adding: shapes, markers in each half, targets are the marked sums",
       function()
  local x, y, info = data.adding{ n = 200, length = 11, seed = 5 }
  t.eq(shape(x), "(200, 11, 2)")
  t.eq(shape(y), "(200, 1)")
  t.eq(shape(info.positions), "(200, 2)")
  local X, Y, P = x:totable(), y:totable(), info.positions:totable()
  for i = 1, #X do
    local marked, sum = {}, 0
    for j = 1, 11 do
      local v, m = X[i][j][1], X[i][j][2]
      t.truthy(v >= 0 and v < 1, "values in [0, 1)")
      t.truthy(m == 0 or m == 1, "markers are 0 or 1")
      if m == 1 then marked[#marked + 1] = j - 1; sum = sum + v end
    end
    t.eq(#marked, 2, "row " .. i .. ": two markers")
    t.truthy(marked[1] < 5, "first marker in the first half (0..4)")
    t.truthy(marked[2] >= 5, "second marker in the second half (5..10)")
    same(P[i], marked, "positions")
    t.near(Y[i][1], sum, 1e-6, "row " .. i .. ": the target")
  end
  x = data.adding{ n = 1, seed = 1 }
  t.eq(shape(x), "(1, 50, 2)")
end)

-- ---- sentiment ------------------------------------------------------------

local POSITIVE = { good = true, great = true, excellent = true,
                   wonderful = true, fun = true }
local NEGATIVE = { bad = true, terrible = true, boring = true, awful = true,
                   dull = true }

t.test("sentiment: labels follow the sentiment word and the negation",
       function()
  local x, y, info = data.sentiment{ n = 400, seed = 4 }
  t.eq(shape(x), "(400, 10)")
  t.eq(shape(y), "(400,)")
  t.eq(shape(info.positions), "(400, 2)")
  t.eq(#info.sentences, 400)
  t.eq(info.num_classes, 2)
  t.eq(info.tokens[0], "<pad>")
  local nwords = 0
  for id, w in pairs(info.tokens) do
    if id > 0 then
      nwords = nwords + 1
      t.eq(info.word_index[w], id, "word_index inverts tokens")
    end
  end
  t.eq(info.vocab_size, nwords + 1)
  local X, Y, P = x:totable(), y:totable(), info.positions:totable()
  local kinds = {}
  for i = 1, #X do
    local words, seen_pad, negated, sentiment = {}, false, -1, nil
    for j = 1, 10 do
      local id = X[i][j]
      if id == 0 then seen_pad = true
      else
        t.truthy(not seen_pad, "row " .. i .. ": post-padding only")
        local w = info.tokens[int(id)]
        words[#words + 1] = w
        if w == "not" or w == "never" then negated = j - 1 end
        if POSITIVE[w] or NEGATIVE[w] then
          t.eq(sentiment, nil, "one sentiment word")
          sentiment = j - 1
        end
      end
    end
    t.eq(table.concat(words, " "), info.sentences[i], "the raw sentence")
    t.truthy(sentiment, "a sentiment word in " .. info.sentences[i])
    local good = POSITIVE[words[sentiment + 1]] == true
    local want = (good ~= (negated >= 0)) and 1 or 0
    t.eq(Y[i], want, info.sentences[i])
    t.eq(P[i][1], sentiment, "positions: the sentiment word")
    t.eq(P[i][2], negated, "positions: the negation (-1 if none)")
    kinds[(good and "pos" or "neg") .. (negated >= 0 and "+not" or "")] = true
  end
  for _, k in ipairs({ "pos", "neg", "pos+not", "neg+not" }) do
    t.truthy(kinds[k], k .. " occurs")
  end
end)

t.test("sentiment: maxlen", function()
  local x, y, info = data.sentiment{ n = 100, maxlen = 3, seed = 1 }
  t.eq(shape(x), "(100, 3)")
  local negated = 0
  for i, s in ipairs(info.sentences) do
    local n = select(2, s:gsub("%S+", ""))
    t.truthy(n <= 3, "fits in maxlen: " .. s)
    if s:find("not", 1, true) or s:find("never", 1, true) then
      negated = negated + 1
    end
  end
  t.truthy(negated > 10, "short negations occur")
  x = data.sentiment{ n = 5, maxlen = 14, seed = 1 }
  t.eq(shape(x), "(5, 14)")
  local found = false
  local _, _, info2 = data.sentiment{ n = 500, seed = 9 }
  for _, s in ipairs(info2.sentences) do
    if s:find("at all$") then found = true end
  end
  t.truthy(found, "\"... not bad at all\" occurs")
end)

-- ---- determinism ----------------------------------------------------------

local tasks = {
  needle = function(seed) return data.needle{ n = 20, seed = seed } end,
  marker = function(seed) return data.marker{ n = 20, seed = seed } end,
  adding = function(seed) return data.adding{ n = 20, seed = seed } end,
  sentiment = function(seed) return data.sentiment{ n = 20, seed = seed } end,
}

t.test("seed=: same seed same data, different seed different data",
       function()
  for name, make in pairs(tasks) do
    local x1, y1, i1 = make(42)
    nn.seed(3) -- the global stream does not matter with seed=
    local x2, y2, i2 = make(42)
    same(x2, x1, name .. " x")
    same(y2, y1, name .. " y")
    same(i2.positions, i1.positions, name .. " positions")
    local x3 = make(43)
    t.truthy(not equal_tensors(x3, x1), name .. ": seed 43 differs from 42")
  end
  local _, _, a = data.sentiment{ n = 10, seed = 5 }
  local _, _, b = data.sentiment{ n = 10, seed = 5 }
  for i = 1, 10 do t.eq(a.sentences[i], b.sentences[i]) end
  -- integral floats are integers
  same(data.needle{ n = 4, seed = 2.0 }, data.needle{ n = 4, seed = 2 })
  -- negative and large seeds are fine
  t.eq(shape(data.needle{ n = 2, seed = -1 }), "(2, 20)")
  t.eq(shape(data.needle{ n = 2, seed = math.maxinteger }), "(2, 20)")
end)

t.test("seed= leaves the global stream alone", function()
  for name, make in pairs(tasks) do
    nn.seed(123)
    local want = tensor.rand(5)
    nn.seed(123)
    make(1)
    same(tensor.rand(5), want, name)
  end
end)

t.test("without seed=: drawn from the global stream, repeatable by nn.seed",
       function()
  for name, make in pairs(tasks) do
    nn.seed(9)
    local x1 = make(nil)
    local after1 = tensor.rand(3)
    nn.seed(9)
    local x2 = make(nil)
    same(x2, x1, name .. ": nn.seed makes it repeatable")
    same(tensor.rand(3), after1, name .. ": the stream continues the same")
    nn.seed(10)
    t.truthy(not equal_tensors(make(nil), x1), name .. ": another nn.seed")
    -- consecutive calls differ, as the stream moves on
    nn.seed(9)
    local a = make(nil)
    local b = make(nil)
    t.truthy(not equal_tensors(a, b), name .. ": consecutive calls differ")
    -- a call advances the stream by two numbers, whatever its size
    nn.seed(9)
    tensor.rand(2)
    local want = tensor.rand(3)
    nn.seed(9)
    make(nil)
    same(tensor.rand(3), want, name .. ": two draws")
  end
end)

-- ---- Tokenizer ------------------------------------------------------------

local TEXTS = { "The cat sat on the mat.", "The dog ate my homework!",
                "My dog, my rules." }

t.test("Tokenizer: word_index by frequency, ties by first appearance",
       function()
  local tok = data.Tokenizer{}
  tok:fit_on_texts(TEXTS)
  -- counts: the 3, my 3, dog 2, then cat sat on mat ate homework rules 1
  local want = { the = 1, my = 2, dog = 3, cat = 4, sat = 5, on = 6, mat = 7,
                 ate = 8, homework = 9, rules = 10 }
  local n = 0
  for w, i in pairs(tok.word_index) do
    n = n + 1
    t.eq(i, want[w], "word_index[" .. w .. "]")
    t.eq(tok.index_word[i], w, "index_word[" .. i .. "]")
  end
  t.eq(n, 10)
  t.eq(tok.word_counts.the, 3)
  t.eq(tok.word_counts.my, 3)
  t.eq(tok.word_docs.my, 2)
  t.eq(tok.word_docs.the, 2)
  t.eq(tok.document_count, 3)
  -- the apostrophe is not in Keras's filters: "cat's" is an unknown word
  local seqs = tok:texts_to_sequences({ "The dog ate the cat's homework",
                                        "", "unknown words only" })
  same(seqs[1], { 1, 3, 8, 1, 9 })
  t.eq(#seqs[2], 0)
  t.eq(#seqs[3], 0)
  t.eq(tok:sequences_to_texts({ { 1, 3, 8, 0, 99 } })[1], "the dog ate")
  t.eq(tostring(tok), "<Tokenizer words=10>")
end)

t.test("Tokenizer: filters, lower, split", function()
  local tok = data.Tokenizer{}
  tok:fit_on_texts({ "Hello,world! e-mail\tTAB\nnew  line (x) [y] {z}" })
  local want = { "hello", "world", "e", "mail", "tab", "new", "line", "x", "y",
                 "z" }
  for i, w in ipairs(want) do t.eq(tok.word_index[w], i, w) end
  t.eq(tok.index_word[11], nil)
  local keep = data.Tokenizer{ lower = false }
  keep:fit_on_texts({ "The the THE the" })
  t.eq(keep.word_index.the, 1)
  t.eq(keep.word_index.The, 2)
  t.eq(keep.word_index.THE, 3)
  local csv = data.Tokenizer{ split = ",", filters = "" }
  csv:fit_on_texts({ "a b,c,,a b" })
  t.eq(csv.word_index["a b"], 1)
  t.eq(csv.word_index.c, 2)
end)

t.test("Tokenizer: num_words and oov_token", function()
  local tok = data.Tokenizer{ num_words = 4 }
  tok:fit_on_texts(TEXTS)
  t.eq(tok.word_index.rules, 10, "word_index keeps every word")
  same(tok:texts_to_sequences({ "my dog ate the cat" })[1], { 2, 3, 1 })
  t.eq(tok:sequences_to_texts({ { 2, 3, 8, 1 } })[1], "my dog the")
  local oov = data.Tokenizer{ num_words = 4, oov_token = "<OOV>" }
  oov:fit_on_texts(TEXTS)
  t.eq(oov.word_index["<OOV>"], 1)
  t.eq(oov.word_index.the, 2)
  t.eq(oov.word_index.my, 3)
  t.eq(oov.word_index.dog, 4)
  t.eq(oov.index_word[1], "<OOV>")
  -- my 3; dog 4 >= num_words -> oov; ate -> oov; the 2; cat -> oov;
  -- bird is unknown -> oov
  same(oov:texts_to_sequences({ "my dog ate the cat bird" })[1],
       { 3, 1, 1, 2, 1, 1 })
  t.eq(oov:sequences_to_texts({ { 3, 4, 2, 77 } })[1], "my <OOV> the <OOV>")
  local all = data.Tokenizer{ oov_token = "<OOV>" }
  all:fit_on_texts(TEXTS)
  same(all:texts_to_sequences({ "the bird ate" })[1], { 2, 1, 9 })
end)

t.test("Tokenizer: char_level", function()
  local tok = data.Tokenizer{ char_level = true }
  tok:fit_on_texts({ "abba", "Ab c" })
  -- chars of "abba" "ab c": a 3, b 3, " " 1, c 1; no filters at char level
  t.eq(tok.word_index.a, 1)
  t.eq(tok.word_index.b, 2)
  t.eq(tok.word_index[" "], 3)
  t.eq(tok.word_index.c, 4)
  same(tok:texts_to_sequences({ "Cab!" })[1], { 4, 1, 2 })
end)

t.test("text_to_word_sequence", function()
  local got = data.text_to_word_sequence("Don't STOP, me now!")
  t.eq(table.concat(got, "|"), "don't|stop|me|now")
  got = data.text_to_word_sequence("a-b c", { filters = "", lower = false })
  t.eq(table.concat(got, "|"), "a-b|c")
end)

-- ---- pad_sequences --------------------------------------------------------

t.test("pad_sequences: Keras's defaults pad and truncate at the start",
       function()
  local seqs = { { 1 }, { 2, 3 }, { 4, 5, 6 } }
  -- the examples of Keras's documentation
  local x = data.pad_sequences(seqs)
  t.eq(shape(x), "(3, 3)")
  same(x, { { 0, 0, 1 }, { 0, 2, 3 }, { 4, 5, 6 } })
  same(data.pad_sequences(seqs, { value = -1 }),
       { { -1, -1, 1 }, { -1, 2, 3 }, { 4, 5, 6 } })
  same(data.pad_sequences(seqs, { padding = "post" }),
       { { 1, 0, 0 }, { 2, 3, 0 }, { 4, 5, 6 } })
  same(data.pad_sequences(seqs, { maxlen = 2 }),
       { { 0, 1 }, { 2, 3 }, { 5, 6 } })
  same(data.pad_sequences(seqs, { maxlen = 2, truncating = "post" }),
       { { 0, 1 }, { 2, 3 }, { 4, 5 } })
  same(data.pad_sequences(seqs, { maxlen = 2, padding = "post",
                                  truncating = "post" }),
       { { 1, 0 }, { 2, 3 }, { 4, 5 } })
  same(data.pad_sequences(seqs, { maxlen = 5 }),
       { { 0, 0, 0, 0, 1 }, { 0, 0, 0, 2, 3 }, { 0, 0, 4, 5, 6 } })
  same(data.pad_sequences({ {}, { 7 } }), { { 0 }, { 7 } })
  same(data.pad_sequences({ {}, { 7 } }, { maxlen = 2, value = 9 }),
       { { 9, 9 }, { 9, 7 } })
  -- a tensor of rows, and the Tokenizer's output
  same(data.pad_sequences(T({ { 1, 2, 3 } }), { maxlen = 2 }), { { 2, 3 } })
  local tok = data.Tokenizer{}
  tok:fit_on_texts(TEXTS)
  same(data.pad_sequences(tok:texts_to_sequences({ "the dog", "my rules" }),
                          { maxlen = 3, padding = "post" }),
       { { 1, 3, 0 }, { 2, 10, 0 } })
  -- the input is not changed
  t.eq(#seqs[3], 3)
end)

-- ---- to_categorical -------------------------------------------------------

t.test("to_categorical: one-hot as Keras", function()
  local a = data.to_categorical({ 0, 1, 2, 3 }, 4)
  t.eq(shape(a), "(4, 4)")
  same(a, tensor.eye(4))
  local b = data.to_categorical(T({ 2, 0 }), 4)
  same(b, { { 0, 0, 1, 0 }, { 1, 0, 0, 0 } })
  -- num_classes defaults to max + 1
  same(data.to_categorical(T({ 1, 0, 1 })), { { 0, 1 }, { 1, 0 }, { 0, 1 } })
  -- a trailing axis of 1 is dropped: (n, 1) -> (n, C)
  local c = data.to_categorical(T({ { 1 }, { 2 } }), 3)
  t.eq(shape(c), "(2, 3)")
  same(c, { { 0, 1, 0 }, { 0, 0, 1 } })
  t.eq(shape(data.to_categorical({ { 1 }, { 0 } }, 2)), "(2, 2)")
  same(data.to_categorical({ { 0, 2 } }, 3), { { { 1, 0, 0 }, { 0, 0, 1 } } })
  -- one label: a vector of num_classes
  same(data.to_categorical(2, 3), { 0, 0, 1 })
  -- (2, 2) -> (2, 2, C)
  local d = data.to_categorical(T({ { 0, 1 }, { 1, 0 } }), 2)
  t.eq(shape(d), "(2, 2, 2)")
  same(d, { { { 1, 0 }, { 0, 1 } }, { { 0, 1 }, { 1, 0 } } })
  -- labels from a task
  local _, y = data.needle{ n = 6, seed = 1 }
  local oh = data.to_categorical(y, 4):totable()
  for i, label in ipairs(y:totable()) do
    for k = 0, 3 do t.eq(oh[i][k + 1], k == label and 1.0 or 0.0) end
  end
end)

-- ---- errors ---------------------------------------------------------------

t.test("errors name the function and point at the caller", function()
  local err = t.raises(function() data.needle{ length = 20 } end,
                       "data.needle: n= is required")
  t.truthy(err:find("test_data.lua:%d+:"), "at the learner's line: " .. err)
  t.raises(function() data.needle(100) end,
           "data.needle: expected a table of options, e.g. data.needle{n=")
  t.raises(function() data.needle{ n = 0 } end, "data.needle: n must be >= 1")
  t.raises(function() data.needle{ n = 2.5 } end,
           "data.needle: n must be an integer, got 2.5")
  t.raises(function() data.needle{ n = 5, length = 1 } end,
           "data.needle: length must be >= 2, got 1")
  t.raises(function() data.needle{ n = 5, vocab = 10, keys = 9 } end,
           "data.needle: keys must be < vocab - 1")
  t.raises(function() data.needle{ n = 5, keys = 1 } end,
           "data.needle: keys must be >= 2, got 1")
  t.raises(function() data.needle{ n = 5, seed = "x" } end,
           "data.needle: seed must be an integer, got string \"x\"")
  t.raises(function() data.needle{ n = 5, lenght = 5 } end,
           "data.needle: unknown option 'lenght' (known: keys, length, n, "
           .. "seed, vocab)")
  t.raises(function() data.marker{ n = 5, vocab = 3 } end,
           "data.marker: vocab must be >= 4 (id 0 <pad>, the marker, and at "
           .. "least 2 words), got 3")
  t.raises(function() data.marker{ n = 5, length = 1 } end,
           "data.marker: length must be >= 2")
  t.raises(function() data.marker() end, "data.marker: expected a table")
  t.raises(function() data.adding{ n = 5, length = 1 } end,
           "data.adding: length must be >= 2 (one marker per half), got 1")
  t.raises(function() data.adding{ n = 5, seed = 0.5 } end,
           "data.adding: seed must be an integer, got 0.5")
  t.raises(function() data.sentiment{ n = 5, maxlen = 1 } end,
           "data.sentiment: maxlen must be >= 2")
  t.raises(function() data.sentiment{} end, "data.sentiment: n= is required")
end)

t.test("errors of the text helpers", function()
  local tok = data.Tokenizer{}
  t.raises(function() tok:fit_on_texts("just one text") end,
           "data.Tokenizer: fit_on_texts expects a table of strings, got "
           .. "string (wrap one text: {text})")
  t.raises(function() tok:fit_on_texts({ "a", 3 }) end,
           "data.Tokenizer: fit_on_texts: text 2 must be a string, got number")
  t.raises(function() tok.fit_on_texts({ "a" }) end,
           "data.Tokenizer: call fit_on_texts with a colon: tok:fit_on_texts")
  t.raises(function() tok:texts_to_sequences("a") end,
           "data.Tokenizer: texts_to_sequences expects a table of strings")
  t.raises(function() data.Tokenizer{ num_words = 0 } end,
           "data.Tokenizer: num_words must be >= 1")
  t.raises(function() data.Tokenizer{ oov_token = 1 } end,
           "data.Tokenizer: oov_token must be a string")
  t.raises(function() data.Tokenizer{ numwords = 10 } end,
           "data.Tokenizer: unknown option 'numwords'")
  t.raises(function() data.pad_sequences({ { 1 } }, { padding = "mid" }) end,
           "data.pad_sequences: padding must be \"pre\" or \"post\", got "
           .. "string \"mid\"")
  t.raises(function() data.pad_sequences({ { 1 } }, { truncating = 1 }) end,
           "data.pad_sequences: truncating must be \"pre\" or \"post\"")
  t.raises(function() data.pad_sequences({ { 1, "a" } }) end,
           "data.pad_sequences: sequence 1, element 2 must be a number")
  t.raises(function() data.pad_sequences({ 1, 2 }) end,
           "data.pad_sequences: sequence 1 must be a table of numbers")
  t.raises(function() data.pad_sequences("abc") end,
           "data.pad_sequences: expected a table of sequences")
  t.raises(function() data.pad_sequences({ {} }) end,
           "data.pad_sequences: every sequence is empty; give maxlen=")
  t.raises(function() data.pad_sequences({ { 1 } }, { maxlen = 0 }) end,
           "data.pad_sequences: maxlen must be >= 1")
  t.raises(function() data.to_categorical({ 0, 3 }, 3) end,
           "data.to_categorical: label 3 is out of range for num_classes=3 "
           .. "(labels are 0..2)")
  t.raises(function() data.to_categorical({ 0, -1 }, 3) end,
           "data.to_categorical: labels must be integers >= 0, got -1")
  t.raises(function() data.to_categorical({ 0.5 }, 3) end,
           "data.to_categorical: labels must be integers >= 0, got 0.5")
  t.raises(function() data.to_categorical({ 1 }, 0) end,
           "data.to_categorical: num_classes must be a positive integer, got 0")
  t.raises(function() data.to_categorical({ { 0, 1 }, { 1 } }, 2) end,
           "data.to_categorical: labels must be a table of numbers, or of "
           .. "equal rows of numbers (tensor.from")
  t.raises(function() data.to_categorical({}, 2) end,
           "data.to_categorical: expected a non-empty table of integer labels")
  t.raises(function() data.to_categorical("1") end,
           "data.to_categorical: expected a tensor or a table of integer "
           .. "labels, got string")
end)

t.done()
