-- Seeing where the model looks: train the attention-pooling model of
-- train_needle.lua, then draw its attention weights for the first held-out
-- sequences as a heatmap (needle_attention.png) and in the terminal.
-- 看模型在看哪里：训练 train_needle.lua 中的注意力汇聚模型，然后把前几个
-- 测试序列的注意力权重画成热力图（needle_attention.png），并在终端里显示。
--
--   ./attnlab examples/heatmap_needle.lua
nn.seed(42)
local T = 20
local x, y, info = data.needle{ n = 3000, length = T, seed = 1 }
local x_test, y_test, test_info = data.needle{ n = 500, length = T, seed = 2 }

local ids = nn.Input{ T }
local embedded = nn.Embedding(info.vocab_size, 32, { mask_zero = true })(ids)
local attention = nn.ProbAttention()
local pooled = attention(embedded)
local hidden = nn.Dense(32, { activation = "relu" })(pooled)
local probs = nn.Dense(info.num_classes, { activation = "softmax" })(hidden)
local model = nn.Model(ids, probs)
model:compile{ optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = { "accuracy" } }
local history = model:fit(x, y, { epochs = 6, batch_size = 32, validation_split = 0.2, verbose = 0 })
print(string.format("final val_accuracy %.3f", history.history.val_accuracy[6]))

-- One image: sample 0's attention over its tokens (weights (500, 1, 20)).
-- 一张图：样本 0 在各个词上的注意力（权重形状 (500, 1, 20)）。
model:predict(x_test, { batch_size = 500 })
local path = assert(viz.attention(attention, {
  sample = 0, tokens = test_info.tokens, ids = x_test,
  file = "needle_attention.png", title = "Where the model looks / 模型在看哪里",
}))
print("wrote " .. path)

-- The first eight samples as rows: the bright cell of each row is its key.
-- 前八个样本，每行一个：每行最亮的格子就是关键词。
local w = attention:last_attention()                    -- (500, 1, 20)
local first = tensor.squeeze(w:slice(0, 0, 8), 1)        -- (8, 20)
local keys = {}
for i, p in ipairs(test_info.positions:totable()) do
  if i > 8 then break end
  keys[i] = string.format("s%d key@%d", i - 1, p)
end
viz.heatmap(first, { file = "needle_first8.png", ylabels = keys, xlabel = "position",
                     title = "first 8 held-out samples" })
print("attention of the first 8 held-out samples / 前 8 个测试样本的注意力:")
viz.show(first, { ylabels = keys })
viz.plot(history, { file = "needle_history.png", title = "needle: training" })
print("wrote needle_first8.png, needle_history.png")
