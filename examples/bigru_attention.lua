-- The main example: the Keras tutorial's BiGRU with time-step attention,
-- written line by line (recipe 1, examples/recipe1_time_attention.lua),
-- trained on data.marker: each sequence holds one <mark> token, and the
-- label is the word right after it. The script prints every shape, trains
-- until the validation accuracy reaches 0.99 (at most 10 epochs), scores
-- the model on a held-out test set, and draws its attention map
-- (attention.png) and its training curves (training.png).
-- 主示例：Keras 教程里的“双向 GRU + 时间步注意力”，逐行重写（配方 1，见
-- examples/recipe1_time_attention.lua），在 data.marker 上训练：每个序列里有
-- 一个 <mark> 词元，标签是紧跟在它后面的那个词。脚本打印每一步的形状，训练到
-- 验证集准确率达到 0.99 为止（最多 10 轮），再在测试集上评估，最后画出注意力图
-- （attention.png）和训练曲线（training.png）。
--
--   ./attnlab examples/bigru_attention.lua                  (about 10 s on 2 cores)
--   ATTNLAB_FAST=1 ./attnlab examples/bigru_attention.lua   (200 samples, 1 epoch: checks the pipeline)
local fast = os.getenv("ATTNLAB_FAST") == "1"
nn.seed(1)

-- The data: 2000 training sequences of T = 20 tokens (a fifth of them kept
-- for validation) and 500 test sequences drawn with another seed.
-- 数据：2000 个训练序列，每个 T = 20 个词元（其中五分之一留作验证集）；
-- 另用一个种子生成 500 个测试序列。
local T = 20
local n_train, n_test, epochs = 2000, 500, 10
if fast then n_train, n_test, epochs = 200, 50, 1 end
local x_train, y_train, info = data.marker{ n = n_train, length = T, seed = 1 }
local x_test, y_test, test_info = data.marker{ n = n_test, length = T, seed = 2 }
print("x_train", x_train.shape, "y_train", y_train.shape, "x_test", x_test.shape)

local function show(name, v) print(string.format("%-10s %s", name, tostring(v.shape))) end

-- The model, one Keras line per attnlab line; the shape printed after each.
-- 模型：每行 attnlab 代码对应一行 Keras 代码，每行之后打印形状。
local inputs = nn.Input{ T }                                   -- inputs = Input(shape=(T,))
show("inputs", inputs)                                         -- (None, 20)
local embedded = nn.Embedding(info.vocab_size, 16)(inputs)     -- embedded = Embedding(vocab_size, 16)(inputs)
show("embedded", embedded)                                     -- (None, 20, 16)
local output = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))(embedded) -- output = Bidirectional(GRU(64, return_sequences=True))(embedded)
show("output", output)                                         -- (None, 20, 128)
output = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))(output)         -- output = Bidirectional(GRU(64, return_sequences=True))(output)
show("output", output)                                         -- (None, 20, 128)

-- Time-step attention: put time last, so that each of the 128 features
-- gets a softmax over the T time steps.
-- 时间步注意力：把时间轴换到最后，让 128 个特征各自在 T 个时间步上做 softmax。
local time_last = tensor.transpose(output, { 0, 2, 1 })       -- time_last = tf.transpose(output, [0, 2, 1])
show("time_last", time_last)                                   -- (None, 128, 20)
local att_1 = nn.Dense(T, { activation = "tanh" })(time_last)  -- att_1 = Dense(T, activation='tanh')(time_last)
show("att_1", att_1)                                           -- (None, 128, 20)
-- keep_output=true keeps the attention weights for the heatmap.
-- keep_output=true 保留注意力权重，供后面画热力图。
local attention = nn.Dense(T, { activation = "softmax", use_bias = false, keep_output = true })
local att_2 = attention(att_1)                                 -- att_2 = Dense(T, activation='softmax', use_bias=False)(att_1)
show("att_2", att_2)                                           -- (None, 128, 20)
local time_att = nn.Multiply()({ time_last, att_2 })           -- time_att = Multiply()([time_last, att_2])
show("time_att", time_att)                                     -- (None, 128, 20)
local out = tensor.sum(time_att, -1)                           -- out = tf.reduce_sum(time_att, axis=-1)
show("out", out)                                               -- (None, 128)
local probs = nn.Dense(info.num_classes, { activation = "softmax" })(out) -- probs = Dense(num_classes, activation='softmax')(out)
show("probs", probs)                                           -- (None, 10)
local model = nn.Model(inputs, probs)                          -- model = Model(inputs, probs)
model:summary()                                                -- model.summary()

-- Training. A callback stops it once the validation accuracy reaches 0.99,
-- as a Keras Callback does by setting self.model.stop_training = True.
-- 训练。验证集准确率达到 0.99 后，回调函数就让训练停下；Keras 的回调同样是
-- 通过设置 self.model.stop_training = True 来停止训练。
model:compile{ optimizer = nn.optimizers.Adam{ learning_rate = 0.003 },  -- model.compile(optimizer=Adam(learning_rate=0.003),
               loss = "sparse_categorical_crossentropy",                  --   loss='sparse_categorical_crossentropy',
               metrics = { "accuracy" } }                                 --   metrics=['accuracy'])
local stop_when_learned = {                                    -- class StopWhenLearned(keras.callbacks.Callback):
  on_epoch_end = function(cb, epoch, logs)                     --   def on_epoch_end(self, epoch, logs=None):
    if logs.val_accuracy >= 0.99 then                          --     if logs['val_accuracy'] >= 0.99:
      cb.model.stop_training = true                            --       self.model.stop_training = True
    end
  end,
}
local history = model:fit(x_train, y_train, {                  -- history = model.fit(x_train, y_train,
  epochs = epochs, batch_size = 32, validation_split = 0.2,    --   epochs=10, batch_size=32, validation_split=0.2,
  callbacks = { stop_when_learned } })                         --   callbacks=[StopWhenLearned()])

-- The test set was never seen in training: its accuracy is the honest one.
-- 测试集在训练中从未出现过，它上面的准确率才是可信的。
local loss, accuracy = model:evaluate(x_test, y_test)                    -- model.evaluate(x_test, y_test)
print(string.format("test loss %.4f / 测试集损失 %.4f", loss, loss))

-- One test sequence: where the marker is, the answer, the prediction.
-- 一个测试序列：标记在哪里，正确答案是什么，模型预测了什么。
local sample = x_test:slice(0, 0, 1)                                      -- x_test[0:1], shape (1, 20)
local p = model:predict(sample)                                           -- also fills attention:last_attention()
local ids = sample:totable()[1]
local words = {}
for i, id in ipairs(ids) do words[i] = test_info.tokens[id] end
local after = test_info.positions:totable()[1]                            -- the position after <mark>
local predicted = tensor.argmax(p, -1):totable()[1]
print("test sample 0: " .. table.concat(words, " "))
print(string.format("marker at position %d; answer %s, predicted %s / 标记在第 %d 个位置；答案 %s，预测 %s",
                    after - 1, words[after + 1], test_info.tokens[predicted + 1],
                    after - 1, words[after + 1], test_info.tokens[predicted + 1]))

-- Its attention map: (128, 20), one row per BiGRU feature, one column per
-- token; each row sums to 1. The mean over the rows says which steps the
-- model reads from. Do not expect it on <mark>: with two BiGRU layers
-- below, the state of almost every step already holds the answer (the
-- forward GRU carries it on, the backward GRU brings it back), so the
-- attention may read it from anywhere. Over plain embeddings
-- (examples/train_needle.lua) the attention has to find the token itself.
-- 它的注意力图：形状 (128, 20)，每行对应一个 BiGRU 特征，每列对应一个词元，
-- 每行的和为 1。对所有行取平均，就能看出模型从哪些时间步读取信息。别指望它落在
-- <mark> 上：下面有两层 BiGRU，几乎每个时间步的隐状态里都已经有了答案（前向 GRU
-- 把它往后传，反向 GRU 把它往前传），注意力从哪里读都可以。如果注意力直接作用在
-- 嵌入上（examples/train_needle.lua），它就必须自己找到那个词元。
local map = attention:last_attention()[0]                                 -- (128, 20)
local mean = map:mean(0):totable()                                        -- (20,)
print("mean attention per token / 每个词元上的平均注意力：")
for t = 1, T do
  print(string.format("%3d %-6s %5.3f %s", t - 1, words[t], mean[t], string.rep("#", math.floor(mean[t] * 100 + 0.5))))
end

-- The pictures, written where the script runs.
-- 两张图，写在运行脚本的当前目录里。
-- PWD is the shell's current directory (Lua has no getcwd).
local function absolute(path)
  local pwd = os.getenv("PWD")
  if path:sub(1, 1) == "/" or not pwd then return path end
  local f = io.open(pwd .. "/" .. path, "rb")
  if not f then return path end
  f:close()
  return pwd .. "/" .. path
end
local att_png = assert(viz.attention(attention, {
  sample = 0, tokens = test_info.tokens, ids = sample, file = "attention.png",
  title = string.format("test sample 0: <mark> at %d, answer %s", after - 1, words[after + 1]),
  ylabel = "BiGRU feature", xlabel = "token", width = 720, height = 760,  -- wide enough to label every token
}))
local curves_png = assert(viz.plot(history, { file = "training.png", title = "BiGRU + attention on data.marker" }))
print("wrote " .. absolute(att_png))
print("wrote " .. absolute(curves_png))
print(string.format("held-out accuracy %.3f", accuracy))
