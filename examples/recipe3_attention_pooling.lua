-- Recipe 3: attention pooling with a mask (the tutorials' ProbAttention).
-- 配方 3：带掩码的注意力汇聚（教程中的 ProbAttention）。
--
--   ./attnlab examples/recipe3_attention_pooling.lua
nn.seed(3)
local vocab, d, T = 50, 8, 6

local embedding = nn.Embedding(vocab, d, { mask_zero = true })
local pooling = nn.ProbAttention()   -- = nn.AttentionPooling()
local classifier = nn.Dense(2, { activation = "softmax" })

local function model(ids)
  local e = embedding(ids)           -- (batch, T, d), e.mask = ids ~= 0
  local pooled = pooling(e)          -- softmax over the unmasked steps
  return classifier(pooled), e
end

local y, e = model(nn.Input{ T })
print("symbolic", e.shape, e.mask.shape, y.shape)

-- Two sentences, the first padded with zeros / 第一句用 0 补齐
local ids = tensor.from{ { 4, 9, 2, 7, 0, 0 }, { 3, 1, 8, 5, 6, 2 } }
local probs = model(ids)
print("probabilities", probs)
print("attention over the steps (padding gets 0) / 注意力(补齐位置为 0):")
print(pooling:last_attention())

-- Keras's Masking() recomputes the mask from the values: after an
-- Embedding whose row 0 is not zero it masks nothing.
-- Keras 的 Masking() 根据数值重新计算掩码：若 Embedding 第 0 行不为零，则不会掩盖任何位置。
print("Masking() after Embedding:", nn.Masking()(embedding(ids)).mask)
