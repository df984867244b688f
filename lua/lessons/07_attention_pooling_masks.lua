-- Lesson 7: attention pooling with masks. Padded sequences
-- (data.pad_sequences), Embedding(mask_zero=true), nn.AttentionPooling (the
-- tutorials' ProbAttention, examples/recipe3_attention_pooling.lua): what
-- the mask does to the weights, the Keras trap of Masking() after an
-- Embedding with mask_zero, and a trained model's weights as a heatmap.
--
--   ./attnlab lua/lessons/07_attention_pooling_masks.lua   (ATTNLAB_LANG=zh: 中文)
local lesson = require "attnlab.lesson"

-- the (batch, time) weights w (or (batch, 1, time)) against the ids x:
-- every padded step (id 0) exactly 0, every row summing to 1
local function masked_exactly(w, x)
  local wt, xt = w:totable(), x:totable()
  for i, row in ipairs(xt) do
    local wr = wt[i]
    if type(wr[1]) == "table" then wr = wr[1] end
    for j, id in ipairs(row) do
      if id == 0 and wr[j] ~= 0 then
        return false, string.format("sample %d, step %d: padding has weight %g", i - 1, j - 1, wr[j])
      end
    end
  end
  return true
end

-- true when some padded step (id 0) has a weight above `above`
local function padding_weighted(w, x, above)
  local wt, xt = w:totable(), x:totable()
  for i, row in ipairs(xt) do
    local wr = wt[i]
    if type(wr[1]) == "table" then wr = wr[1] end
    for j, id in ipairs(row) do
      if id == 0 and not (wr[j] > above) then return false end
    end
  end
  return true
end

return lesson.define {
  title = "Attention pooling, padding and masks",
  title_zh = "注意力汇聚、填充与掩码",
  intro = [[
Real sentences have different lengths; a batch needs one length, so short
ones are padded with id 0. A mask tells the attention which steps are padding.
This lesson follows examples/recipe3_attention_pooling.lua: what the mask does
to the weights, a Keras trap that silently removes it, and a trained model.]],
  intro_zh = [[
真实的句子长短不一；一个批量却要求长度相同，所以短句要用 id 0 填充。
掩码（mask）告诉注意力哪些时间步是填充。这一课跟着
examples/recipe3_attention_pooling.lua：看掩码对注意力权重做了什么，看一个
会悄悄去掉掩码的 Keras 陷阱，最后训练一个模型。]],
  params = { epochs = { 8, 6 }, n = { 4000, 3000 } },
  steps = {
    {
      text = [[
Four sentences of word ids, of lengths 3, 6, 2 and 4. data.pad_sequences is
keras.utils.pad_sequences: it pads them to one length with 0, at the start by
default (padding="pre"), as Keras does.]],
      text_zh = [[
四个由词元 id 组成的句子，长度分别是 3、6、2 和 4。data.pad_sequences 就是
keras.utils.pad_sequences：用 0 把它们填充到同一长度，默认填在前面
（padding="pre"），和 Keras 一样。]],
      code = [[
nn.clear_session()
nn.seed(7)
seqs = {{5, 12, 7}, {3, 9, 14, 2, 8, 6}, {11, 4}, {7, 7, 13, 1}}
x = data.pad_sequences(seqs, {maxlen = 6})
x
data.pad_sequences(seqs, {maxlen = 6, padding = "post"})]],
      notice = [[
x is (4, 6): the first row is 0 0 0 5 12 7, three zeros in front of the
three words; the 6-word sentence needs none. With padding="post" the zeros
go at the end instead.]],
      notice_zh = [[
x 的形状是 (4, 6)：第一行是 0 0 0 5 12 7，三个词前面有三个 0；6 个词的
句子不需要填充。用 padding="post" 时，0 改为填在末尾。]],
      check = function()
        lesson.shape(x, "(4, 6)")
        lesson.close(x, tensor.from { { 0, 0, 0, 5, 12, 7 }, { 3, 9, 14, 2, 8, 6 },
                                      { 0, 0, 0, 0, 11, 4 }, { 0, 0, 7, 7, 13, 1 } }, 0, "pre padding")
        lesson.close(data.pad_sequences(seqs, { maxlen = 6, padding = "post" }),
                     tensor.from { { 5, 12, 7, 0, 0, 0 }, { 3, 9, 14, 2, 8, 6 },
                                   { 11, 4, 0, 0, 0, 0 }, { 7, 7, 13, 1, 0, 0 } }, 0, "post padding")
      end,
    },
    {
      text = [[
Embedding(50, 8, mask_zero=true) looks up an 8-number vector for each id, and
marks id 0 as padding: the mask travels with the result, e.mask. Note that
row 0 of the embedding table is a vector like the others, not zeros.]],
      text_zh = [[
Embedding(50, 8, mask_zero=true)（嵌入层）为每个 id 查出一个 8 维向量，
并把 id 0 标记为填充：掩码跟着结果一起传下去，就是 e.mask。注意：嵌入表的
第 0 行和其他行一样是一个普通向量，并不是全 0。]],
      code = [==[
embedding = nn.Embedding(50, 8, {mask_zero = true})
e = embedding(x)
e.shape
e.mask
embedding:get_weights()[1][0]]==],
      notice = [[
e is (4, 6, 8). e.mask is (4, 6): 0 where the id is 0 (padding), 1
elsewhere. The padded steps still get the vector of row 0, which is not
zero; only the mask says they are padding.]],
      notice_zh = [[
e 的形状是 (4, 6, 8)。e.mask 的形状是 (4, 6)：id 为 0（填充）的位置是 0，
其余是 1。被填充的时间步照样拿到第 0 行的向量，它不是 0；只有掩码说明它们
是填充。]],
      check = function()
        lesson.shape(e, "(4, 6, 8)")
        lesson.shape(e.mask, "(4, 6)")
        lesson.close(e.mask, tensor.not_equal(x, 0), 0, "e.mask")
        local tbl = embedding:get_weights()[1]
        lesson.shape(tbl, "(50, 8)")
        lesson.expect(tbl[0]:abs():max():item() > 0, "row 0 is not zeros")
        lesson.close(e[0][3], tbl[5], 0, "id 5 looks up row 5")
        lesson.close(e[0][0], tbl[0], 0, "padding looks up row 0")
      end,
    },
    {
      text = [[
nn.AttentionPooling (the tutorials' ProbAttention) scores each time step with
one learned vector, turns the scores into weights with a softmax over time,
and returns the weighted sum of the steps. It reads e.mask by itself.]],
      text_zh = [[
nn.AttentionPooling（教程里叫 ProbAttention，注意力汇聚）用一个可学习的
向量给每个时间步打分，沿时间做 softmax 把分数变成权重，再返回各时间步的
加权和。它会自己读取 e.mask。]],
      code = [[
pooling = nn.AttentionPooling()
pooled = pooling(e)
pooled.shape
w = pooling:last_attention()
w
w:sum(-1)]],
      notice = [[
pooled is (4, 8): one vector per sentence. w is (4, 1, 6): every padded
step has weight exactly 0 (it prints 0.0000, and it is 0, not a small
number), and each row still sums to 1 over its real words.]],
      notice_zh = [[
pooled 的形状是 (4, 8)：每个句子一个向量。w 的形状是 (4, 1, 6)：每个被掩码
的时间步权重恰好是 0（打印为 0.0000，而且确实等于 0，不是一个很小的数），
每一行在真实的词上求和仍然是 1。]],
      check = function()
        lesson.shape(pooled, "(4, 8)")
        lesson.shape(w, "(4, 1, 6)")
        local ok, why = masked_exactly(w, x)
        lesson.expect(ok, why)
        lesson.close(w:sum(-1), tensor.ones(4, 1), 1e-6, "the rows sum to 1")
      end,
    },
    {
      text = [[
How the mask does it, by hand: the score of a padded step gets -1e9, as Keras
does. exp(-1e9) is exactly 0 in float32, so the softmax gives those steps
nothing and shares 1 among the real steps.]],
      text_zh = [[
掩码是怎么做到的，手算一遍：被掩码的时间步的分数减去 1e9，和 Keras 一样。
exp(-1e9) 在 float32 中恰好是 0，所以 softmax 不给这些时间步任何权重，
把 1 分给真实的时间步。]],
      code = [[
u = tensor.matmul(e, pooling:get_weights()[1])
u.shape
u_masked = u - (1 - tensor.expand_dims(e.mask, -1)) * 1e9
w_hand = tensor.transpose(tensor.softmax(u_masked, 1), {0, 2, 1})
(w_hand - w):abs():max()]],
      notice = [[
u is (4, 6, 1): one score per step. w_hand equals w: the difference prints
0 (or a rounding error below 1e-6).]],
      notice_zh = [[
u 的形状是 (4, 6, 1)：每个时间步一个分数。w_hand 与 w 相等：差值打印为 0
（或小于 1e-6 的舍入误差）。]],
      check = function()
        lesson.shape(u, "(4, 6, 1)")
        lesson.close(w_hand, w, 1e-6, "the weights by hand")
        local ok, why = masked_exactly(w_hand, x)
        lesson.expect(ok, why)
      end,
    },
    {
      text = [[
So with the mask, padding changes nothing: the first sentence alone, without
any padding, gets the same weights on its three words and the same pooled
vector.]],
      text_zh = [[
所以有了掩码，填充不会改变任何结果：第一个句子单独输入、不做任何填充时，
它的三个词得到同样的权重，汇聚出同样的向量。]],
      code = [[
alone = pooling(embedding(tensor.from{{5, 12, 7}}))
pooling:last_attention()
(alone[0] - pooled[0]):abs():max()]],
      notice = [[
The weights of 5 12 7 alone are the last three weights of row 0 of w;
alone[0] equals pooled[0] (the difference prints 0, or a rounding error
below 1e-6).]],
      notice_zh = [[
单独输入 5 12 7 时的权重，就是 w 第 0 行的最后三个权重；alone[0] 与
pooled[0] 相等（差值打印为 0，或小于 1e-6 的舍入误差）。]],
      check = function()
        local wa = pooling:last_attention()
        lesson.shape(wa, "(1, 1, 3)")
        lesson.close(wa[0][0], w[0][0]:slice(0, 3, 6), 1e-6, "the weights alone")
        lesson.close(alone[0], pooled[0], 1e-6, "pooled alone vs padded")
      end,
    },
    {
      text = [[
The Keras trap: adding Masking() after Embedding(mask_zero=True). Masking does
not pass the mask on: it computes a new one from the values, masking a step
only when all its features equal 0. Row 0 of the embedding is not zero, so
the new mask masks nothing, and the padding gets attention again.]],
      text_zh = [[
Keras 的一个陷阱：在 Embedding(mask_zero=True) 后面再加一层 Masking()。
Masking 不会把原来的掩码传下去，而是根据数值重新计算：只有所有特征都等于 0
的时间步才会被掩码。嵌入表的第 0 行不是 0，所以新的掩码里没有一个时间步被
掩码，填充又分到了注意力。]],
      code = [[
e_masking = nn.Masking()(e)
e_masking.mask
pooled_trap = pooling(e_masking)
pooling:last_attention()
(pooled_trap - pooled):abs():max(-1)]],
      notice = [[
e_masking.mask is all 1 (no step masked). Every padded step now has a
weight above 0.01, and the pooled vectors of the padded sentences change:
the (4,) printed last, the largest difference per sentence, is above 1e-4
for rows 0, 2 and 3, and 0 for row 1, the sentence without padding (at most
a rounding error below 1e-6).]],
      notice_zh = [[
e_masking.mask 全是 1（没有任何时间步被掩码）。每个填充的时间步现在的权重都
大于 0.01，被填充过的句子汇聚出的向量也变了：最后打印的 (4,) 是每个句子的
最大差值，第 0、2、3 行都大于 1e-4，只有第 1 行、那个没有填充的句子是 0
（最多是小于 1e-6 的舍入误差）。]],
      check = function()
        lesson.close(e_masking.mask, tensor.ones(4, 6), 0, "Masking's mask")
        lesson.expect(padding_weighted(pooling:last_attention(), x, 0.01),
                      "every padded step has a weight above 0.01")
        for _, i in ipairs { 0, 2, 3 } do
          lesson.expect(lesson.maxdiff(pooled_trap[i], pooled[i]) > 1e-4,
                        "the pooled vector of padded sentence " .. i .. " changes")
        end
        lesson.close(pooled_trap[1], pooled[1], 1e-6, "row 1 has no padding")
      end,
    },
    {
      text = [[
It really reads the values: make row 0 of the embedding table zeros and
Masking finds the padding again. In practice, keep Embedding's own mask and
leave Masking out; Masking is for inputs that are not ids, such as float
features padded with zero vectors.]],
      text_zh = [[
它确实是看数值的：把嵌入表的第 0 行改成全 0，Masking 就又能找到填充了。
实际使用时，保留 Embedding 自己的掩码，不要再加 Masking；Masking 是给不是
id 的输入用的，比如用全 0 向量填充的浮点特征。]],
      code = [[
table_0 = embedding:get_weights()[1]
embedding:set_weights{tensor.concat({tensor.zeros(1, 8), table_0:slice(0, 1, 50)}, 0)}
nn.Masking()(embedding(x)).mask]],
      notice = "With row 0 zero, Masking's mask equals e.mask: 0 exactly where the id is 0.",
      notice_zh = [[
第 0 行为全 0 时，Masking 算出的掩码与 e.mask 相同：恰好在 id 为 0 的位置
是 0。]],
      check = function()
        lesson.close(embedding:get_weights()[1][0], tensor.zeros(8), 0, "row 0 is zeros")
        -- named layers: a check must not move the layer-name counters
        lesson.close(nn.Masking { name = "check" }(embedding(x)).mask, e.mask, 0, "Masking's mask vs e.mask")
        -- float features padded with zero vectors: Masking finds the padding
        local feats = tensor.from { { { 0.5, -1 }, { 2, 0 }, { 0, 0 } } }
        lesson.close(nn.Masking { name = "check" }(feats).mask, tensor.from { { 1, 1, 0 } }, 0, "Masking on features")
      end,
    },
    {
      text = [[
Now train the recipe, so the weights mean something. data.needle hides one
key word (k0 to k3) in each sequence of noise words; the key is the label.
Its sequences are padded at the end, as pad_sequences(..., padding="post")
does. The model: Embedding with mask_zero, attention pooling, two Dense
layers.]],
      text_zh = [[
现在训练这个模型，让权重有意义。data.needle 在每个由噪声词组成的序列里藏
一个关键词（k0 到 k3），关键词就是标签。它的序列在末尾填充，就像
pad_sequences(..., padding="post") 那样。模型是：带 mask_zero 的嵌入层、
注意力汇聚、两个 Dense 层。]],
      code = [[
x_train, y_train, info = data.needle{n = $n, length = 12, seed = 1}
x_test, y_test, test_info = data.needle{n = 200, length = 12, seed = 2}
ids = nn.Input{12}
pool = nn.AttentionPooling()
hidden = nn.Dense(32, {activation = "relu"})(pool(nn.Embedding(info.vocab_size, 16, {mask_zero = true})(ids)))
model = nn.Model(ids, nn.Dense(info.num_classes, {activation = "softmax"})(hidden))
model:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}};
history = model:fit(x_train, y_train, {epochs = $epochs, batch_size = 32, verbose = 2});
test_loss, test_accuracy = model:evaluate(x_test, y_test)
test_accuracy]],
      notice = [[
The loss falls epoch by epoch; on the 200 held-out sequences the accuracy
(test_accuracy) is at least 0.95.]],
      notice_zh = "损失一轮比一轮低；在 200 个测试序列上，准确率（test_accuracy）至少是 0.95。",
      check = function()
        local losses = history.history.loss
        lesson.expect(#losses == (lesson.fast() and 6 or 8), "one loss per epoch")
        for i = 2, #losses do
          lesson.expect(losses[i] < losses[i - 1], "the loss falls at epoch " .. i)
        end
        lesson.expect(test_accuracy >= 0.95, "held-out accuracy " .. tostring(test_accuracy))
        -- one key (ids 1..4, k0..k3) per sequence, the label; padding at
        -- the end: id 0 exactly from the real length on
        local xt, yt, lens = x_train:totable(), y_train:totable(), info.lengths:totable()
        lesson.expect(info.num_classes == 4 and info.tokens[1] == "k0" and info.tokens[4] == "k3",
                      "the keys are k0 to k3")
        for i = 1, math.min(#xt, 100) do
          local keys = 0
          for j, id in ipairs(xt[i]) do
            lesson.expect((id == 0) == (j > lens[i]), "needle pads at the end")
            if id >= 1 and id <= 4 then
              keys = keys + 1
              lesson.expect(yt[i] == id - 1, "the key is the label")
            end
          end
          lesson.expect(keys == 1, "one key per sequence")
        end
      end,
    },
    {
      text = [[
The weights of the first 8 held-out sequences, one row each, as a heatmap
(lesson07_weights.png) and in the terminal. predict runs the 200 sequences in
batches of 32 and keeps the weights of every one, the batches joined in
order: row i of last_attention() is sequence i. Trained, each row looks at its
key word, and the padding at the end of each row gets 0.]],
      text_zh = [[
把前 8 个测试序列的注意力权重画出来，每个序列一行：画成热力图（lesson07_weights.png），也在终端里显示。
predict 按每批 32 个运行这 200 个序列，并保留每一个序列的权重，各批量按顺序拼接：
last_attention() 的第 i 行就是第 i 个序列。训练之后，每一行都在看自己的关键词，每行末尾的填充权重是 0。]],
      code = [[
model:predict(x_test);
pool:last_attention().shape
weights = tensor.squeeze(pool:last_attention(), 1):slice(0, 0, 8)
weights.shape
labels = {}
for i = 1, 8 do labels[i] = string.format("key@%d", test_info.positions:get(i - 1)) end
viz.heatmap(weights, {file = "lesson07_weights.png", ylabels = labels, xlabel = "time step", title = "attention pooling"})
viz.show(weights, {ylabels = labels, width = 60})
weights:argmax(-1)
test_info.positions:slice(0, 0, 8)
(weights * tensor.equal(x_test:slice(0, 0, 8), 0)):max():item()
weights:sum(-1)]],
      notice = [[
pool:last_attention() is (200, 1, 12), weights (8, 12). weights:argmax(-1)
and the positions print the same 8 numbers: the step of largest weight in
each row is where the key is. The largest weight on a padded step prints 0:
padding gets exactly 0; and every row sums to 1 (the last line).]],
      notice_zh = [[
pool:last_attention() 的形状是 (200, 1, 12)，weights 是 (8, 12)。
weights:argmax(-1) 和关键词的位置打印出同样的 8 个数：每一行权重最大的时间步
就是关键词所在的位置。填充的时间步上最大的权重打印为 0：填充的权重恰好是 0；
每一行加起来都是 1（最后一行）。]],
      check = function()
        lesson.shape(pool:last_attention(), "(200, 1, 12)")
        lesson.shape(weights, "(8, 12)")
        -- row i is sequence i, whatever the batch size: one batch of 200,
        -- and sequence 199 run alone, give the same rows
        local kept = tensor.squeeze(pool:last_attention(), 1)
        model:predict(x_test, { batch_size = 200 })
        lesson.close(tensor.squeeze(pool:last_attention(), 1), kept, 1e-6, "batches of 32 vs one of 200")
        model:predict(x_test:slice(0, 199, 200))
        lesson.close(tensor.squeeze(pool:last_attention(), 1)[0], kept[199], 1e-6, "sequence 199 alone")
        model:predict(x_test)
        local f = io.open("lesson07_weights.png", "rb")
        lesson.expect(f ~= nil, "lesson07_weights.png was written")
        f:close()
        lesson.close(weights:argmax(-1), test_info.positions:slice(0, 0, 8), 0, "the largest weight is on the key")
        local wt, pos = weights:totable(), test_info.positions:totable()
        for i = 1, 8 do
          local key, other = wt[i][pos[i] + 1], 0
          for j, v in ipairs(wt[i]) do
            if j ~= pos[i] + 1 and v > other then other = v end
          end
          lesson.expect(key >= 2 * other, "the key gets at least twice any other step in row " .. (i - 1))
        end
        local ok, why = masked_exactly(weights, x_test:slice(0, 0, 8))
        lesson.expect(ok, why)
        lesson.close(weights:sum(-1), tensor.ones(8), 1e-5, "the rows sum to 1")
      end,
    },
  },
}
