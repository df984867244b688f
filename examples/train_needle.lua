-- Attention that learns where to look: recipe 3 (attention pooling over
-- embeddings) trained on data.needle, where the label is decided by the
-- one key token hidden in each sequence. After a few epochs the attention
-- weight sits on that token.
-- 会学习“看哪里”的注意力：配方 3（嵌入上的注意力汇聚）在 data.needle 上训练。
-- 每个序列中藏着一个决定标签的关键词；训练几轮后，注意力权重集中在这个词上。
--
--   ./attnlab examples/train_needle.lua
nn.seed(42)
local T = 20
local x, y, info = data.needle{ n = 3000, length = T, seed = 1 }
local x_test, y_test, test_info = data.needle{ n = 500, length = T, seed = 2 }

-- Keras: Embedding(vocab, 32, mask_zero=True) -> ProbAttention -> Dense -> Dense
local ids = nn.Input{ T }
local embedded = nn.Embedding(info.vocab_size, 32, { mask_zero = true })(ids)
local attention = nn.ProbAttention()
local pooled = attention(embedded)
local hidden = nn.Dense(32, { activation = "relu" })(pooled)
local probs = nn.Dense(info.num_classes, { activation = "softmax" })(hidden)
local model = nn.Model(ids, probs)
model:summary()

model:compile{ optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = { "accuracy" } }
model:fit(x, y, { epochs = 6, batch_size = 32, validation_split = 0.2 })

local loss, accuracy = model:evaluate(x_test, y_test)
print(string.format("held-out accuracy %.3f, loss %.4f / 测试集准确率 %.3f", accuracy, loss, accuracy))

-- Where does the model look? The attention weight at the key's position,
-- averaged over the held-out samples (uniform attention would give ~1/15).
-- 模型在看哪里？测试样本在关键词位置上的平均注意力权重（均匀注意力约为 1/15）。
model:predict(x_test, { batch_size = 500 })
local weights = attention:last_attention():totable()   -- (500, 1, 20)
local positions = test_info.positions:totable()
local sum = 0
for i, p in ipairs(positions) do sum = sum + weights[i][1][p + 1] end
print(string.format("mean attention at the key: %.3f / 关键词处的平均注意力: %.3f",
                    sum / #positions, sum / #positions))

-- The first held-out sequence, token by token, with its attention weight.
-- 第一个测试序列：逐词显示注意力权重。
local row, tokens = x_test:totable()[1], test_info.tokens
for t, id in ipairs(row) do
  local w = weights[1][1][t]
  if id ~= 0 then
    print(string.format("%3d %-6s %5.3f %s", t - 1, tokens[id], w, string.rep("#", math.floor(w * 40 + 0.5))))
  end
end
