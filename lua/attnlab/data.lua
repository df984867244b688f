-- attnlab.data: the `data` global. Toy tasks for learning attention
-- (needle, marker, adding, sentiment) and Keras's text helpers
-- (Tokenizer, pad_sequences, to_categorical). Pure Lua.
--
-- Every task takes seed=: with it, the task draws from its own generator
-- (SplitMix64 on Lua's 64-bit integers), so the data depends only on the
-- seed and the global stream (nn.seed) is left alone. Without it, the task
-- seeds that generator from two draws of the global stream (tensor.rand),
-- so nn.seed(n) makes it repeatable, and a call always advances the global
-- stream by exactly two numbers whatever n is.
local core = require "attnlab.core"
local util = require "attnlab.util"

local data = {}

local function is_tensor(x)
  return type(x) == "userdata" and
         getmetatable(x) == debug.getregistry()["attnlab.tensor"]
end

-- ---- the generator ------------------------------------------------------

local Rng = {}
Rng.__index = Rng

-- SplitMix64 (Steele, Lea, Flood 2014). Integer arithmetic wraps in Lua
-- 5.4 and >> is a logical shift, so this is the reference algorithm.
function Rng:next()
  local s = self.state + 0x9e3779b97f4a7c15
  self.state = s
  local z = s
  z = (z ~ (z >> 30)) * 0xbf58476d1ce4e5b9
  z = (z ~ (z >> 27)) * 0x94d049bb133111eb
  return z ~ (z >> 31)
end

-- uniform in [0, 1) on a grid of 2^-24: exact in a float32 tensor
function Rng:uniform()
  return (self:next() >> 40) * 2.0 ^ -24
end

-- uniform integer in [lo, hi]
function Rng:int(lo, hi)
  local span = hi - lo + 1
  return lo + math.floor(((self:next() >> 11) * 2.0 ^ -53) * span)
end

local function new_rng(seed)
  if seed == nil then
    local u = core.rand(2):totable()
    seed = (math.floor(u[1] * 2 ^ 24) << 24) | math.floor(u[2] * 2 ^ 24)
  end
  return setmetatable({ state = seed }, Rng)
end

-- ---- argument checks ------------------------------------------------------

local function options(who, opts, known, example)
  if type(opts) ~= "table" or is_tensor(opts) then
    util.error("%s: expected a table of options, e.g. %s", who, example)
  end
  return util.check_options(who, opts, known)
end

-- opts[key] (or dflt) as an integer >= min
local function int_opt(who, opts, key, dflt, min, why)
  local v = opts[key]
  if v == nil then
    if dflt == nil then
      util.error("%s: %s= is required (an integer >= %d)", who, key, min)
    end
    return dflt
  end
  if not util.is_integer(v) then
    util.error("%s: %s must be an integer, got %s", who, key, util.show(v))
  end
  v = math.tointeger(v)
  if v < min then
    util.error("%s: %s must be >= %d%s, got %d", who, key, min,
               why and (" (" .. why .. ")") or "", v)
  end
  return v
end

local function seed_opt(who, opts)
  local s = opts.seed
  if s == nil then return nil end
  if not util.is_integer(s) then
    util.error("%s: seed must be an integer, got %s", who, util.show(s))
  end
  return math.tointeger(s)
end

-- ---- needle in a haystack -----------------------------------------------

-- data.needle{n=, length=20, vocab=32, keys=4, seed=}
-- ids: 0 <pad>, 1..keys the keys k0..k{keys-1}, keys+1..vocab-1 the noise
-- words w{id}. Each sequence: noise, then trailing padding (keeping at
-- least min(length, max(3, length // 4)) real tokens), with exactly one
-- key at a real position.
-- Returns x (n, length), y (n,) = the key's index (id - 1), and info =
-- { positions (n,), lengths (n,) real lengths, tokens, num_classes = keys,
--   vocab_size = vocab }.
local needle_opts = { n = true, length = true, vocab = true, keys = true,
                      seed = true }

function data.needle(opts)
  local who = "data.needle"
  opts = options(who, opts, needle_opts, "data.needle{n=1000, length=20}")
  local n = int_opt(who, opts, "n", nil, 1)
  local length = int_opt(who, opts, "length", 20, 2)
  local keys = int_opt(who, opts, "keys", 4, 2)
  local vocab = int_opt(who, opts, "vocab", 32, 4)
  if keys >= vocab - 1 then
    util.error("%s: keys must be < vocab - 1 (id 0 is <pad>, ids 1..keys the "
               .. "keys, and at least one noise id is needed), got keys=%d, "
               .. "vocab=%d", who, keys, vocab)
  end
  local rng = new_rng(seed_opt(who, opts))
  local min_real = math.min(length, math.max(3, length // 4))
  local xs, ys, pos, lens = {}, {}, {}, {}
  for i = 1, n do
    local real = rng:int(min_real, length)
    local at = rng:int(0, real - 1)
    local key = rng:int(0, keys - 1)
    local row = {}
    for j = 0, length - 1 do
      if j >= real then row[j + 1] = 0
      elseif j == at then row[j + 1] = key + 1
      else row[j + 1] = rng:int(keys + 1, vocab - 1) end
    end
    xs[i], ys[i], pos[i], lens[i] = row, key, at, real
  end
  local tokens = { [0] = "<pad>" }
  for k = 0, keys - 1 do tokens[k + 1] = "k" .. k end
  for id = keys + 1, vocab - 1 do tokens[id] = "w" .. id end
  return core.from(xs), core.from(ys), {
    positions = core.from(pos), lengths = core.from(lens), tokens = tokens,
    num_classes = keys, vocab_size = vocab,
  }
end

-- ---- the token after the marker -------------------------------------------

-- data.marker{n=, length=20, vocab=12, seed=}
-- ids: 0 <pad> (never used: no padding), 1..vocab-2 the words w{id},
-- vocab-1 the marker <mark>. One marker per sequence at a random position
-- but the last; the label is the word after it, as id - 1.
-- Returns x (n, length), y (n,), info = { positions (n,) of the word after
-- the marker, tokens, num_classes = vocab - 2, vocab_size = vocab,
-- marker = vocab - 1 }.
local marker_opts = { n = true, length = true, vocab = true, seed = true }

function data.marker(opts)
  local who = "data.marker"
  opts = options(who, opts, marker_opts, "data.marker{n=1000, length=20}")
  local n = int_opt(who, opts, "n", nil, 1)
  local length = int_opt(who, opts, "length", 20, 2,
                         "the marker and the word after it")
  local vocab = int_opt(who, opts, "vocab", 12, 4,
                        "id 0 <pad>, the marker, and at least 2 words")
  local rng = new_rng(seed_opt(who, opts))
  local mark = vocab - 1
  local xs, ys, pos = {}, {}, {}
  for i = 1, n do
    local at = rng:int(0, length - 2)
    local row = {}
    for j = 0, length - 1 do
      row[j + 1] = (j == at) and mark or rng:int(1, vocab - 2)
    end
    xs[i], ys[i], pos[i] = row, row[at + 2] - 1, at + 1
  end
  local tokens = { [0] = "<pad>", [mark] = "<mark>" }
  for id = 1, vocab - 2 do tokens[id] = "w" .. id end
  return core.from(xs), core.from(ys), {
    positions = core.from(pos), tokens = tokens, num_classes = vocab - 2,
    vocab_size = vocab, marker = mark,
  }
end

-- ---- the adding problem ---------------------------------------------------

-- data.adding{n=, length=50, seed=} (Hochreiter & Schmidhuber 1997)
-- x (n, length, 2): column 0 uniform in [0, 1), column 1 zeros but two 1s,
-- one in each half (first half: positions 0..length//2-1). y (n, 1) = the
-- sum of the two marked numbers; info.positions (n, 2) the two positions.
local adding_opts = { n = true, length = true, seed = true }

function data.adding(opts)
  local who = "data.adding"
  opts = options(who, opts, adding_opts, "data.adding{n=1000, length=50}")
  local n = int_opt(who, opts, "n", nil, 1)
  local length = int_opt(who, opts, "length", 50, 2, "one marker per half")
  local rng = new_rng(seed_opt(who, opts))
  local half = length // 2
  local xs, ys, pos = {}, {}, {}
  for i = 1, n do
    local a = rng:int(0, half - 1)
    local b = rng:int(half, length - 1)
    local row = {}
    for j = 0, length - 1 do
      row[j + 1] = { rng:uniform(), (j == a or j == b) and 1 or 0 }
    end
    xs[i] = row
    ys[i] = { row[a + 1][1] + row[b + 1][1] }
    pos[i] = { a, b }
  end
  return core.from(xs), core.from(ys), { positions = core.from(pos) }
end

-- ---- sentiment with negation ----------------------------------------------

local positive = { "good", "great", "excellent", "wonderful", "fun" }
local negative = { "bad", "terrible", "boring", "awful", "dull" }
local negations = { "not", "never" }
local dets = { "the", "this" }
local nouns = { "movie", "film", "plot", "acting", "show" }
local verbs = { "was", "is" }
local intensifiers = { "really", "very", "quite" }
local prefixes = { { "honestly" }, { "overall" }, { "i", "think" } }

-- the vocabulary, in a fixed order: id 0 <pad>, then these
local sentiment_words = { "the", "this", "movie", "film", "plot", "acting",
  "show", "was", "is", "not", "never", "really", "very", "quite", "at", "all",
  "honestly", "overall", "i", "think" }
for _, w in ipairs(positive) do sentiment_words[#sentiment_words + 1] = w end
for _, w in ipairs(negative) do sentiment_words[#sentiment_words + 1] = w end
local sentiment_index = {}
for id, w in ipairs(sentiment_words) do sentiment_index[w] = id end
local SENTIMENT_LONGEST = 10 -- i think the movie was not really good at all

local function pick(rng, list) return list[rng:int(1, #list)] end

-- one sentence: its words, label, and 0-based positions of the sentiment
-- word and of the negation (-1 if none)
local function sentence(rng)
  local negated = rng:int(0, 1) == 1
  local good = rng:int(0, 1) == 1
  local adj = pick(rng, good and positive or negative)
  local words = {}
  local function add(w) words[#words + 1] = w end
  local neg_at = -1
  if rng:int(1, 5) == 1 then -- short: "good", "not good", "never bad"
    if negated then neg_at = 0; add(pick(rng, negations)) end
  else -- [prefix] det noun verb [neg] [intensifier] adj [at all]
    if rng:int(1, 3) == 1 then
      for _, w in ipairs(pick(rng, prefixes)) do add(w) end
    end
    add(pick(rng, dets)); add(pick(rng, nouns)); add(pick(rng, verbs))
    if negated then neg_at = #words; add(pick(rng, negations)) end
    if rng:int(1, 3) == 1 then add(pick(rng, intensifiers)) end
  end
  local adj_at = #words
  add(adj)
  if negated and #words > 2 and rng:int(1, 3) == 1 then
    add("at"); add("all")
  end
  local label = (good ~= negated) and 1 or 0
  return words, label, adj_at, neg_at
end

-- data.sentiment{n=, maxlen=10, seed=}
-- Sentences like "the movie was not bad at all", "never boring", "honestly
-- this film is really great"; label 1 positive, 0 negative, a negation
-- ("not", "never") flipping the sentiment word. Only sentences of at most
-- maxlen words are generated. Returns x (n, maxlen) post-padded with 0,
-- y (n,), info = { sentences (1-based table of strings), positions (n, 2)
-- = 0-based positions of the sentiment word and of the negation (-1 if
-- none), tokens, word_index (word -> id), num_classes = 2, vocab_size }.
local sentiment_opts = { n = true, maxlen = true, seed = true }

function data.sentiment(opts)
  local who = "data.sentiment"
  opts = options(who, opts, sentiment_opts, "data.sentiment{n=1000}")
  local n = int_opt(who, opts, "n", nil, 1)
  local maxlen = int_opt(who, opts, "maxlen", SENTIMENT_LONGEST, 2,
                         "room for \"not good\"")
  local rng = new_rng(seed_opt(who, opts))
  local xs, ys, pos, texts = {}, {}, {}, {}
  for i = 1, n do
    local words, label, adj_at, neg_at
    repeat
      words, label, adj_at, neg_at = sentence(rng)
    until #words <= maxlen
    local row = {}
    for j = 1, maxlen do
      row[j] = words[j] and sentiment_index[words[j]] or 0
    end
    xs[i], ys[i], pos[i] = row, label, { adj_at, neg_at }
    texts[i] = table.concat(words, " ")
  end
  local tokens, word_index = { [0] = "<pad>" }, {}
  for id, w in ipairs(sentiment_words) do tokens[id] = w; word_index[w] = id end
  return core.from(xs), core.from(ys), {
    sentences = texts, positions = core.from(pos), tokens = tokens,
    word_index = word_index, num_classes = 2,
    vocab_size = #sentiment_words + 1,
  }
end

-- ---- Keras's text helpers -------------------------------------------------

local KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

local Tokenizer = {}
Tokenizer.__index = Tokenizer
Tokenizer.__name = "Tokenizer"
data.Tokenizer = setmetatable({}, {
  __call = function(_, opts) return Tokenizer.new(opts) end,
  __index = Tokenizer,
})

local tokenizer_opts = { num_words = true, filters = true, lower = true,
                         split = true, char_level = true, oov_token = true }

-- data.Tokenizer{num_words=, filters=, lower=true, split=" ",
-- char_level=false, oov_token=}, as keras.preprocessing.text.Tokenizer.
function Tokenizer.new(opts)
  local who = "data.Tokenizer"
  if opts == nil then opts = {} end
  opts = options(who, opts, tokenizer_opts, "data.Tokenizer{num_words=1000}")
  local self = setmetatable({}, Tokenizer)
  if opts.num_words ~= nil then
    self.num_words = int_opt(who, opts, "num_words", nil, 1)
  end
  for _, k in ipairs({ "filters", "split", "oov_token" }) do
    if opts[k] ~= nil and type(opts[k]) ~= "string" then
      util.error("%s: %s must be a string, got %s", who, k, util.show(opts[k]))
    end
  end
  for _, k in ipairs({ "lower", "char_level" }) do
    if opts[k] ~= nil and type(opts[k]) ~= "boolean" then
      util.error("%s: %s must be true or false, got %s", who, k,
                 util.show(opts[k]))
    end
  end
  self.filters = opts.filters or KERAS_FILTERS
  self.split = opts.split or " "
  if self.split == "" then util.error("%s: split must not be empty", who) end
  self.lower = opts.lower ~= false
  self.char_level = opts.char_level == true
  self.oov_token = opts.oov_token
  self.word_counts = {}   -- word -> count
  self.word_docs = {}     -- word -> number of texts holding it
  self.word_index = {}    -- word -> index (1 the most frequent)
  self.index_word = {}    -- index -> word
  self.document_count = 0
  self._order = {}        -- words in order of first appearance
  return self
end

function Tokenizer:__tostring()
  local n = 0
  for _ in pairs(self.word_index) do n = n + 1 end
  return string.format("<Tokenizer words=%d%s>", n,
                       self.num_words and (", num_words=" .. self.num_words)
                       or "")
end

local function check_self(self, method)
  if getmetatable(self) ~= Tokenizer then
    util.error("data.Tokenizer: call %s with a colon: tok:%s(...)", method,
               method)
  end
end

local function check_texts(method, texts)
  if type(texts) ~= "table" then
    util.error("data.Tokenizer: %s expects a table of strings, got %s%s",
               method, type(texts),
               type(texts) == "string" and " (wrap one text: {text})" or "")
  end
  for i, s in ipairs(texts) do
    if type(s) ~= "string" then
      util.error("data.Tokenizer: %s: text %d must be a string, got %s",
                 method, i, type(s))
    end
  end
end

-- keras.preprocessing.text.text_to_word_sequence
local function word_sequence(text, filters, lower, split)
  if lower then text = text:lower() end
  local drop = {}
  for c in filters:gmatch(".") do drop[c] = true end
  text = text:gsub(".", function(c) if drop[c] then return split end end)
  local out, start = {}, 1
  while true do
    local i, j = text:find(split, start, true)
    local piece = i and text:sub(start, i - 1) or text:sub(start)
    if piece ~= "" then out[#out + 1] = piece end
    if not i then break end
    start = j + 1
  end
  return out
end
local word_sequence_opts = { filters = true, lower = true, split = true }
data.text_to_word_sequence = function(text, opts)
  local who = "data.text_to_word_sequence"
  if type(text) ~= "string" then
    util.error("%s: expected a string, got %s", who, type(text))
  end
  opts = util.check_options(who, opts, word_sequence_opts)
  return word_sequence(text, opts.filters or KERAS_FILTERS,
                       opts.lower ~= false, opts.split or " ")
end

function Tokenizer:_seq(text)
  if self.char_level then
    if self.lower then text = text:lower() end
    local out = {}
    for c in text:gmatch(".") do out[#out + 1] = c end
    return out
  end
  return word_sequence(text, self.filters, self.lower, self.split)
end

-- Counts the words; word_index ranks them by count, most frequent first,
-- ties in order of first appearance (Python's stable sort), from 1; the
-- oov_token, if any, is index 1.
function Tokenizer:fit_on_texts(texts)
  check_self(self, "fit_on_texts")
  check_texts("fit_on_texts", texts)
  for _, text in ipairs(texts) do
    self.document_count = self.document_count + 1
    local seen = {}
    for _, w in ipairs(self:_seq(text)) do
      if self.word_counts[w] == nil then
        self.word_counts[w] = 0
        self._order[#self._order + 1] = w
      end
      self.word_counts[w] = self.word_counts[w] + 1
      if not seen[w] then
        seen[w] = true
        self.word_docs[w] = (self.word_docs[w] or 0) + 1
      end
    end
  end
  local ranked = {}
  for i, w in ipairs(self._order) do ranked[i] = { w = w, i = i } end
  local counts = self.word_counts
  table.sort(ranked, function(a, b)
    local ca, cb = counts[a.w], counts[b.w]
    if ca ~= cb then return ca > cb end
    return a.i < b.i
  end)
  local vocab = {}
  if self.oov_token ~= nil then vocab[1] = self.oov_token end
  for _, r in ipairs(ranked) do vocab[#vocab + 1] = r.w end
  -- as Python's dict(zip(...)): a repeated word keeps its last index
  self.word_index, self.index_word = {}, {}
  for i, w in ipairs(vocab) do self.word_index[w] = i end
  for w, i in pairs(self.word_index) do self.index_word[i] = w end
end

-- Texts to lists of indices (Lua tables). With num_words, only indices
-- < num_words are kept (the num_words - 1 most frequent words); others,
-- and unknown words, become the oov_token's index, or are dropped.
function Tokenizer:texts_to_sequences(texts)
  check_self(self, "texts_to_sequences")
  check_texts("texts_to_sequences", texts)
  local oov = self.oov_token ~= nil and self.word_index[self.oov_token] or nil
  local out = {}
  for t, text in ipairs(texts) do
    local vect = {}
    for _, w in ipairs(self:_seq(text)) do
      local i = self.word_index[w]
      if i ~= nil then
        if self.num_words and i >= self.num_words then
          if oov then vect[#vect + 1] = oov end
        else
          vect[#vect + 1] = i
        end
      elseif self.oov_token ~= nil then
        vect[#vect + 1] = oov
      end
    end
    out[t] = vect
  end
  return out
end

-- Lists of indices (tables, or a 2-D tensor) back to texts; index 0 and
-- unknown indices are dropped (or shown as the oov_token).
function Tokenizer:sequences_to_texts(seqs)
  check_self(self, "sequences_to_texts")
  if is_tensor(seqs) then seqs = seqs:totable() end
  if type(seqs) ~= "table" then
    util.error("data.Tokenizer: sequences_to_texts expects a table of "
               .. "sequences, got %s", type(seqs))
  end
  local oov = self.oov_token ~= nil and self.word_index[self.oov_token] or nil
  local out = {}
  for t, seq in ipairs(seqs) do
    if type(seq) ~= "table" then
      util.error("data.Tokenizer: sequences_to_texts: sequence %d must be a "
                 .. "table of indices, got %s", t, type(seq))
    end
    local vect = {}
    for _, num in ipairs(seq) do
      local word = util.is_integer(num) and self.index_word[math.tointeger(num)]
      if word then
        if self.num_words and num >= self.num_words then
          if oov then vect[#vect + 1] = self.index_word[oov] end
        else
          vect[#vect + 1] = word
        end
      elseif self.oov_token ~= nil then
        vect[#vect + 1] = self.index_word[oov]
      end
    end
    out[t] = table.concat(vect, " ")
  end
  return out
end

-- data.pad_sequences(seqs, {maxlen=, padding="pre", truncating="pre",
-- value=0}) as keras.utils.pad_sequences: a (n, maxlen) tensor; maxlen
-- defaults to the longest sequence; "pre" pads / cuts at the start.
local pad_opts = { maxlen = true, padding = true, truncating = true,
                   value = true, dtype = true }

function data.pad_sequences(seqs, opts)
  local who = "data.pad_sequences"
  if is_tensor(seqs) then seqs = seqs:totable() end
  if type(seqs) ~= "table" then
    util.error("%s: expected a table of sequences (tables of numbers), got %s",
               who, type(seqs))
  end
  opts = util.check_options(who, opts, pad_opts)
  local padding = opts.padding or "pre"
  local truncating = opts.truncating or "pre"
  if padding ~= "pre" and padding ~= "post" then
    util.error("%s: padding must be \"pre\" or \"post\", got %s", who,
               util.show(padding))
  end
  if truncating ~= "pre" and truncating ~= "post" then
    util.error("%s: truncating must be \"pre\" or \"post\", got %s", who,
               util.show(truncating))
  end
  local value = opts.value or 0
  if type(value) ~= "number" then
    util.error("%s: value must be a number, got %s", who, util.show(value))
  end
  local longest, list = 0, {}
  for i, s in ipairs(seqs) do
    if is_tensor(s) then s = s:totable() end
    list[i] = s
    if type(s) ~= "table" then
      util.error("%s: sequence %d must be a table of numbers, got %s", who, i,
                 type(s))
    end
    for j, v in ipairs(s) do
      if type(v) ~= "number" then
        util.error("%s: sequence %d, element %d must be a number, got %s",
                   who, i, j, type(v))
      end
    end
    longest = math.max(longest, #s)
  end
  local maxlen = opts.maxlen
  if maxlen == nil then
    maxlen = longest
    if maxlen == 0 then
      util.error("%s: every sequence is empty; give maxlen=", who)
    end
  else
    maxlen = int_opt(who, opts, "maxlen", nil, 1)
  end
  local rows = {}
  for i, s in ipairs(list) do
    local len = #s
    local first, keep = 1, math.min(len, maxlen)
    if truncating == "pre" then first = len - keep + 1 end
    local row = {}
    for j = 1, maxlen do row[j] = value end
    local at = (padding == "pre") and (maxlen - keep) or 0
    for j = 0, keep - 1 do row[at + j + 1] = s[first + j] end
    rows[i] = row
  end
  if #rows == 0 then return core.zeros(0, maxlen) end
  return core.from(rows)
end

-- data.to_categorical(y, num_classes) as keras.utils.to_categorical: y (a
-- tensor or a table) of integer labels, of shape S, gives S + (num_classes,)
-- (a trailing axis of 1 is dropped first: (n, 1) gives (n, num_classes)).
-- num_classes defaults to max(y) + 1.
function data.to_categorical(y, num_classes)
  local who = "data.to_categorical"
  local shape
  local flat = {}
  if type(y) == "table" and not is_tensor(y) then
    if #y == 0 then
      util.error("%s: expected a non-empty table of integer labels", who)
    end
    local ok, t = pcall(core.from, y)
    if not ok then
      util.error("%s: labels must be a table of numbers, or of equal rows "
                 .. "of numbers (%s)", who, (tostring(t):gsub("^.-:%d+: ", "")))
    end
    y = t
  end
  if is_tensor(y) then
    if y.symbolic then
      util.error("%s: expected labels with values, got a symbolic tensor", who)
    end
    shape = {}
    for i, d in ipairs(y:size()) do shape[i] = d end
    if #shape == 0 then
      flat[1] = y:item()
    else
      local function walk(t)
        for _, v in ipairs(t) do
          if type(v) == "table" then walk(v) else flat[#flat + 1] = v end
        end
      end
      walk(y:totable())
    end
  elseif type(y) == "number" then
    shape, flat = {}, { y }
  else
    util.error("%s: expected a tensor or a table of integer labels, got %s",
               who, type(y))
  end
  local biggest = -1
  for i, v in ipairs(flat) do
    if not util.is_integer(v) or v < 0 then
      util.error("%s: labels must be integers >= 0, got %s at flat index %d",
                 who, util.show(v), i - 1)
    end
    biggest = math.max(biggest, math.tointeger(v))
  end
  if num_classes == nil then
    num_classes = biggest + 1
    if num_classes < 1 then
      util.error("%s: no labels to count classes from; give num_classes", who)
    end
  elseif not util.is_integer(num_classes) or num_classes < 1 then
    util.error("%s: num_classes must be a positive integer, got %s", who,
               util.show(num_classes))
  else
    num_classes = math.tointeger(num_classes)
    if biggest >= num_classes then
      util.error("%s: label %d is out of range for num_classes=%d (labels "
                 .. "are 0..%d)", who, biggest, num_classes, num_classes - 1)
    end
  end
  if #shape > 1 and shape[#shape] == 1 then shape[#shape] = nil end
  shape[#shape + 1] = num_classes
  local out = core.zeros(#flat, num_classes)
  for i, v in ipairs(flat) do out:set(i - 1, math.tointeger(v), 1) end
  return out:reshape(shape)
end

-- The option names each function accepts (the tables its option check
-- uses), for help, completion and tests/lua/test_docs.lua.
data.option_names = {
  needle = needle_opts, marker = marker_opts, adding = adding_opts,
  sentiment = sentiment_opts, Tokenizer = tokenizer_opts,
  text_to_word_sequence = word_sequence_opts, pad_sequences = pad_opts,
}

return data
