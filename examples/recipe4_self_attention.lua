-- Recipe 4: self-attention with one (3, d_in, d_out) kernel after an LSTM.
-- 配方 4：LSTM 之后、用一个 (3, d_in, d_out) kernel 的自注意力。
--
--   ./attnlab examples/recipe4_self_attention.lua
nn.seed(4)
local T, F = 10, 16

local lstm = nn.Bidirectional(nn.LSTM(64, { return_sequences = true }))
-- The tutorial divides the scores by 64 ** 0.5 = 8 / 教程把注意力分数除以 64 ** 0.5 = 8
local attention = nn.SelfAttention(64, { scale = 8 })

local function model(x)
  local h = lstm(x)
  local out = attention(h)
  print(string.format("h %s -> self-attention %s", tostring(h.shape), tostring(out.shape)))
  return out
end

model(nn.Input{ T, F })
model(tensor.randn(2, T, F))
print("kernel", attention.kernel.shape)              -- (3, 128, 64)
local w = attention:last_attention()[0]               -- (T, T) for the first sample
print("weights of the first sample", w.shape, "row sums", w:sum(-1):min():item())
