-- Recipe 1: time-step attention over two BiGRU layers, as the Keras
-- tutorial writes it, line by line.
-- 配方 1：两层 BiGRU 之上的时间步注意力，与 Keras 教程逐行对应。
--
--   ./attnlab examples/recipe1_time_attention.lua
nn.seed(1)
local T, F = 64, 32

local bigru_1 = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))
local bigru_2 = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))
local dense_tanh = nn.Dense(T, { activation = "tanh" })
-- keep_output=true keeps the attention weights for a heatmap
-- keep_output=true 保留注意力权重，以便画热力图
local dense_softmax = nn.Dense(T, { activation = "softmax", use_bias = false, keep_output = true })
local multiply = nn.Multiply()

-- The model as a function: the same lines run on nn.Input (shapes only)
-- and on data. (nn.Model, in a later lesson, records and replays them.)
-- 模型写成一个函数：同样的代码既可作用于 nn.Input（只推断形状），也可作用于数据。
local function model(inputs, show)
  local output = bigru_2(bigru_1(inputs))              -- Bidirectional(GRU(64, return_sequences=True)) x 2
  local time_last = tensor.transpose(output, { 0, 2, 1 }) -- tf.transpose(output, [0, 2, 1])
  local att_1 = dense_tanh(time_last)                 -- Dense(64, activation='tanh')
  local att_2 = dense_softmax(att_1)                  -- Dense(64, activation='softmax', use_bias=False)
  local time_att = multiply({ time_last, att_2 })     -- Multiply()([time_last, att_2])
  local out = tensor.sum(time_att, -1)                -- tf.reduce_sum(time_att, axis=-1)
  if show then
    for _, step in ipairs { { "output", output }, { "time_last", time_last }, { "att_1", att_1 },
                            { "att_2", att_2 }, { "time_att", time_att }, { "out", out } } do
      print(string.format("%-10s %s", step[1], tostring(step[2].shape)))
    end
  end
  return out
end

print("-- symbolic / 符号张量")
model(nn.Input{ T, F }, true)                         -- (None, 64, 128) ... (None, 128)

print("-- on data / 真实数据")
local out = model(tensor.randn(2, T, F), true)        -- (2, 64, 128) ... (2, 128)

-- The (128, 64) attention map of the first sample; every row sums to 1.
-- 第一个样本的 (128, 64) 注意力图；每一行的和为 1。
local map = dense_softmax:last_attention()[0]
local sums = map:sum(-1)
print(string.format("map %s, row sums in [%.6f, %.6f]", tostring(map.shape),
                    sums:min():item(), sums:max():item()))
print("out", out.shape)
