-- attnlab.docs_nn: the docstrings of the layers (nn.Dense ... nn.TimeAttention),
-- of the methods every layer has (layer:get_weights, ...) and of nn's
-- utilities (nn.seed, nn.activations, ...). The entry format is described in
-- lua/attnlab/docs.lua.

local function o(name, default, en, zh) return { name, default, en, zh } end

local name_opt = function(default)
  return o("name", default, "the layer's name (unique names are made when it is left out)",
           "层的名字（不给时自动生成一个不重复的名字）")
end

-- calling a layer: layer(x, {...})
local call_mask = o("mask", "nil", "the Keras mask to use instead of the input's own (x.mask); "
                    .. "for a table of inputs, a table of masks",
                    "用这个 Keras 掩码代替输入自带的掩码（x.mask）；输入是一组张量时给一组掩码")
local call_training = o("training", "nil", "true: training mode (dropout is applied); fit sets it",
                        "true 表示训练模式（这时才做 dropout）；fit 会自动设置")
local call_initial_state = o("initial_state", "nil",
                             "recurrent layers: the starting states, {h0} (LSTM {h0, c0}; Bidirectional forward ones, then backward ones)",
                             "循环层：初始状态 {h0}（LSTM 是 {h0, c0}；Bidirectional 先给正向的，再给反向的）")
local call_base = { call_mask, call_training, call_initial_state }
local call_simple = { call_mask, call_training }

local attention_call = {
  o("mask", "nil", "{query_mask, value_mask}, each (batch, time) of 0/1; nil: the inputs' own masks",
    "{query_mask, value_mask}，每个都是 0/1 组成的 (batch, time)；nil 表示用输入自带的掩码"),
  o("use_causal_mask", "false", "query i may only look at keys j <= i (a decoder)",
    "第 i 个查询只能看第 j <= i 个键（解码器的因果掩码）"),
  o("return_attention_scores", "false", "also return the attention weights (batch, Tq, Tv)",
    "同时返回注意力权重 (batch, Tq, Tv)"),
  call_training,
}

local rnn_options = {
  return_sequences = o("return_sequences", "false", "return every step's output (batch, time, units), not just the last",
                       "返回每个时间步的输出 (batch, time, units)，而不只是最后一步"),
  return_state = o("return_state", "false", "also return the final state(s) after the output",
                   "在输出之后再返回最后的状态"),
  go_backwards = o("go_backwards", "false", "read the sequence from the end (the output is in reversed order)",
                   "从序列末尾往前读（输出也是倒序的）"),
  activation = o("activation", "\"tanh\"", "the activation of the candidate state and output "
                 .. "(tanh, sigmoid, relu, hard_sigmoid, linear)",
                 "候选隐状态和输出的激活函数（tanh、sigmoid、relu、hard_sigmoid、linear）"),
  recurrent_activation = o("recurrent_activation", "\"sigmoid\"", "the activation of the gates",
                           "门的激活函数"),
  use_bias = o("use_bias", "true", "add the biases", "加上偏置"),
  kernel_initializer = o("kernel_initializer", "\"glorot_uniform\"", "how the input kernel starts",
                         "输入权重 kernel 的初始化器"),
  recurrent_initializer = o("recurrent_initializer", "\"orthogonal\"", "how the recurrent kernel starts",
                            "循环权重 recurrent_kernel 的初始化器"),
  bias_initializer = o("bias_initializer", "\"zeros\"", "how the bias starts", "偏置的初始化器"),
  dropout = o("dropout", "0", "dropout rate on the inputs while training (one mask for all steps)",
              "训练时对输入做 dropout 的比例（所有时间步共用一个掩码）"),
  recurrent_dropout = o("recurrent_dropout", "0", "dropout rate on the state entering the recurrent product",
                        "训练时对进入循环乘积的隐状态做 dropout 的比例"),
  reset_after = o("reset_after", "true", "Keras 2/3's default (CuDNN-compatible) form: the reset gate after the recurrent product",
                  "Keras 2/3 的默认形式（与 CuDNN 兼容）：重置门作用在循环乘积之后"),
  stateful = o("stateful", "false", "only false is supported (true is an error)", "只支持 false（给 true 会报错）"),
  unroll = o("unroll", "false", "accepted for Keras; no effect (one fused kernel runs all steps)",
             "为兼容 Keras 而接受，不起作用（所有时间步由一个融合的内核计算）"),
  zero_output_for_mask = o("zero_output_for_mask", "false",
                           "a masked step outputs zeros instead of repeating the previous output",
                           "被掩码的时间步输出 0，而不是重复上一步的输出"),
}

local rnn_common = { "return_sequences", "return_state", "go_backwards", "activation",
                     "recurrent_activation", "use_bias", "kernel_initializer",
                     "recurrent_initializer", "bias_initializer", "dropout", "recurrent_dropout",
                     "zero_output_for_mask", "stateful", "unroll" }

local function rnn_opts(list, default_name)
  local out = {}
  for _, k in ipairs(list) do out[#out + 1] = rnn_options[k] end
  out[#out + 1] = name_opt(default_name)
  return out
end

local data_format = o("data_format", "\"channels_last\"", "\"channels_last\": (batch, time, features); "
                      .. "\"channels_first\": (batch, features, time)",
                      "\"channels_last\"：(batch, time, features)；\"channels_first\"：(batch, features, time)")

return {
  -- ---- layers ------------------------------------------------------------
  {
    name = "nn.Dense", section = "Layers",
    signature = "nn.Dense(units, {options})",
    computes = "The fully connected layer: y = activation(x W + b) on the last axis of any input of "
      .. "rank >= 2; W is kernel (in, units), b is bias (units,).",
    computes_zh = "全连接层：在输入的最后一个轴上计算 y = activation(x W + b)，输入至少是二维。"
      .. "W 是权重 kernel，形状 (in, units)；b 是偏置 bias，形状 (units,)。",
    options = {
      o("activation", "nil", "nil is linear; \"tanh\", \"relu\", \"sigmoid\", \"softmax\", ... (nn.activations) or a function",
        "nil 表示线性；也可以是 \"tanh\"、\"relu\"、\"sigmoid\"、\"softmax\" 等（见 nn.activations）或一个函数"),
      o("use_bias", "true", "add the bias b", "加上偏置 b"),
      o("kernel_initializer", "\"glorot_uniform\"", "how W starts (nn.initializers)", "W 的初始化器（见 nn.initializers）"),
      o("bias_initializer", "\"zeros\"", "how b starts", "b 的初始化器"),
      o("keep_output", "false", "keep the output for layer:last_attention() (a softmax Dense used as attention; without it last_attention() is an error)",
        "保留输出，供 layer:last_attention() 读取（把 softmax 全连接层当注意力用时；不加这个选项时调用 last_attention() 会报错）"),
      name_opt("\"dense\""),
    },
    shapes = "(batch, ..., features) -> (batch, ..., units)",
    keras = "keras.layers.Dense(units, activation=None, use_bias=True)",
    example = "d = nn.Dense(3, {activation='tanh'})\nd(tensor.ones(2, 5, 4)).shape  -- (2, 5, 3)\nd.kernel.shape",
  },
  {
    name = "nn.Activation", section = "Layers",
    signature = "nn.Activation(activation, {name=})",
    computes = "Applies an activation function (a name from nn.activations, or a function) "
      .. "element-wise; it has no weights.",
    computes_zh = "逐元素地应用一个激活函数（nn.activations 里的名字或一个函数）；这个层没有权重。",
    options = { name_opt("\"activation\"") },
    shapes = "same shape as the input",
    shapes_zh = "和输入的形状相同",
    keras = "keras.layers.Activation('relu')",
    example = "nn.Activation('relu')(tensor.from{{-1, 2}})",
  },
  {
    name = "nn.Embedding", section = "Layers",
    signature = "nn.Embedding(input_dim, output_dim, {options})",
    computes = "Looks up a learned vector for each integer id (0 <= id < input_dim); the table is "
      .. "the weight embeddings (input_dim, output_dim).",
    computes_zh = "嵌入层：为每个整数 id（0 <= id < input_dim）查出一个学到的向量；"
      .. "查找表就是权重 embeddings，形状 (input_dim, output_dim)。",
    options = {
      o("mask_zero", "false", "id 0 is padding: its steps are masked downstream (y.mask)",
        "id 0 是填充：后面的层会跳过这些被掩码的时间步（见 y.mask）"),
      o("embeddings_initializer", "\"random_uniform\"", "how the table starts", "查找表的初始化器"),
      o("input_length", "nil", "accepted for Keras 2 scripts; not used", "为兼容 Keras 2 的脚本而接受，不起作用"),
      name_opt("\"embedding\""),
    },
    shapes = "(batch, time) integer ids -> (batch, time, output_dim)",
    shapes_zh = "(batch, time) 的整数 id 得 (batch, time, output_dim)",
    keras = "keras.layers.Embedding(input_dim, output_dim, mask_zero=False)",
    example = "e = nn.Embedding(100, 8, {mask_zero=true})\ny = e(tensor.from{{3, 7, 0}})\ny.shape\ny.mask",
  },
  {
    name = "nn.Masking", section = "Layers",
    signature = "nn.Masking{mask_value=0, name=}",
    computes = "Marks the time steps whose features all equal mask_value as padding "
      .. "(recurrent and attention layers then skip them) and zeroes them.",
    computes_zh = "把所有特征都等于 mask_value 的时间步标记为填充（之后的循环层和注意力层会跳过这些时间步），"
      .. "并把它们置为 0。",
    options = {
      o("mask_value", "0", "the value of a padded step", "填充的时间步里的值"),
      name_opt("\"masking\""),
    },
    shapes = "(batch, time, features) -> the same; y.mask is (batch, time)",
    shapes_zh = "(batch, time, features) 形状不变；y.mask 的形状是 (batch, time)",
    keras = "keras.layers.Masking(mask_value=0.0)",
    example = "m = nn.Masking{mask_value=0}\ny = m(tensor.from{{{1}, {0}}})\ny.mask",
  },
  {
    name = "nn.Dropout", section = "Layers",
    signature = "nn.Dropout(rate, {options})  |  nn.Dropout{rate=, ...}",
    computes = "Keras's inverted dropout: while training (layer(x, {training=true}), as fit calls it) "
      .. "each entry is zeroed with probability rate and the rest are divided by 1 - rate; "
      .. "otherwise x passes unchanged.",
    computes_zh = "Keras 的倒置 dropout（inverted dropout）：训练时（layer(x, {training=true})，fit 就是这样调用的）"
      .. "每个元素以概率 rate 被置为 0，其余的除以 1 - rate；不训练时 x 原样通过。",
    options = {
      o("noise_shape", "nil", "the shape of the mask, 1 (or None) where one draw is shared along an axis",
        "掩码的形状；某个轴写 1（或 None）表示沿这个轴共用同一次抽样"),
      o("seed", "nil", "an own random stream for the masks (nil: the nn.seed stream)",
        "给掩码一个自己的随机数流（nil 表示用 nn.seed 的全局流）"),
      name_opt("\"dropout\""),
    },
    call_options = call_simple,
    shapes = "same shape as the input",
    shapes_zh = "和输入的形状相同",
    keras = "keras.layers.Dropout(0.5, noise_shape=None, seed=None)",
    example = "d = nn.Dropout(0.5)\nd(tensor.ones(2, 4), {training=true})\nd(tensor.ones(2, 4))",
  },
  {
    name = "nn.Softmax", section = "Layers",
    signature = "nn.Softmax(), nn.Softmax(axis), nn.Softmax{axis=-1, name=}",
    computes = "Softmax along an axis (or a table of axes); with a mask, masked entries get -1e9 "
      .. "first, so they get weight 0.",
    computes_zh = "沿一个轴（或一组轴）做 softmax；有掩码时，被掩码的位置先加上 -1e9，因此权重为 0。",
    options = {
      o("axis", "-1", "the axis (or table of axes) that sums to 1", "加起来等于 1 的那个轴（或一组轴）"),
      name_opt("\"softmax\""),
    },
    call_options = call_simple,
    shapes = "same shape as the input",
    shapes_zh = "和输入的形状相同",
    keras = "keras.layers.Softmax(axis=-1)",
    example = "nn.Softmax()(tensor.from{{1, 2, 3}})",
  },
  {
    name = "nn.Lambda", section = "Layers",
    signature = "nn.Lambda(fn, {options})",
    computes = "A layer that computes fn(x) with tensor ops, so it works on symbolic tensors and has "
      .. "gradients; called on a table of tensors, fn gets the table. A parameter of fn named mask "
      .. "gets the input's mask, one named training the training flag, others the entries of arguments.",
    computes_zh = "用张量运算计算 fn(x) 的层，因此可以用在符号张量上，也有梯度；"
      .. "对一组张量调用时，fn 收到这个表。fn 里名叫 mask 的参数得到输入的掩码，"
      .. "名叫 training 的参数得到训练标志，其他参数从 arguments 里按名字取值。",
    options = {
      o("arguments", "{}", "named values for fn's other parameters", "fn 其他参数的值，按参数名给出"),
      o("output_shape", "nil", "the output shape without the batch axis (or a function of the input shape), "
        .. "for sizes the trace cannot know", "输出形状（不含批量轴，或一个由输入形状算出它的函数），"
        .. "用来补上追踪时不知道的大小"),
      o("mask", "nil", "the output's mask: a tensor, or a function(inputs, mask)", "输出的掩码：一个张量，或一个函数 function(inputs, mask)"),
      name_opt("\"lambda\""),
    },
    call_options = call_simple,
    shapes = "whatever fn returns",
    shapes_zh = "fn 返回什么形状就是什么形状",
    keras = "keras.layers.Lambda(lambda x: x * 2)",
    example = "double = nn.Lambda(function(x) return x * 2 end)\ndouble(tensor.ones(1, 2))\n"
      .. "scale = nn.Lambda(function(x, s) return x * s end, {arguments={s=3}})\nscale(tensor.ones(1, 2))",
  },
  {
    name = "nn.TimeDistributed", section = "Layers",
    signature = "nn.TimeDistributed(layer, {name=})",
    computes = "Applies layer to every time step (axis 1) with the same weights: time is folded into "
      .. "the batch, so layer runs once.",
    computes_zh = "对每个时间步（第 1 轴）用同一组权重应用 layer：把时间轴并进批量轴，所以 layer 只运行一次。",
    options = { name_opt("\"time_distributed\"") },
    call_options = call_simple,
    shapes = "(batch, time, ...) -> (batch, time, layer's output without its batch axis)",
    shapes_zh = "(batch, time, ...) 得 (batch, time, ...)，后面的轴是 layer 对一个时间步的输出去掉批量轴",
    keras = "keras.layers.TimeDistributed(keras.layers.Dense(8))",
    example = "td = nn.TimeDistributed(nn.Dense(2))\ntd(tensor.ones(2, 5, 3)).shape  -- (2, 5, 2)",
  },

  -- ---- merge and reshape layers --------------------------------------------
  {
    name = "nn.Add",
    aliases = { "nn.Subtract", "nn.Multiply", "nn.Average", "nn.Maximum", "nn.Minimum" },
    section = "Merge and reshape layers",
    signature = "nn.Add({name=})({a, b, ...}); Subtract, Multiply, Average, Maximum, Minimum",
    computes = "Merges a table of tensors element-wise: sum, difference (exactly 2 inputs), product, "
      .. "mean, maximum, minimum; inputs of lower rank get axes of size 1 after the batch axis. "
      .. "With masks, the output mask is their OR.",
    computes_zh = "逐元素地合并一组张量：求和、求差（正好 2 个输入）、乘积、均值、最大值、最小值；"
      .. "轴较少的输入在批量轴之后补上大小为 1 的轴。输入有掩码时，输出的掩码是它们的“或”。",
    options = { name_opt("\"add\", \"multiply\", ...") },
    call_options = call_simple,
    shapes = "{(batch, n), (batch, n)} -> (batch, n)",
    keras = "keras.layers.Add()([a, b]) / keras.layers.Multiply()([a, b])",
    example = "a = tensor.ones(2, 3)\nb = tensor.full({2, 3}, 2)\nnn.Add()({a, b})\nnn.Multiply()({a, b}).shape",
  },
  {
    name = "nn.Concatenate", section = "Merge and reshape layers",
    signature = "nn.Concatenate(), nn.Concatenate(axis), nn.Concatenate{axis=-1, name=}",
    computes = "Joins a table of tensors along axis (the other sizes must agree).",
    computes_zh = "沿 axis 把一组张量拼接起来（其他轴的大小必须相同）。",
    options = {
      o("axis", "-1", "the axis to join along (counted with the batch axis)", "沿哪个轴拼接（编号包含批量轴）"),
      name_opt("\"concatenate\""),
    },
    call_options = call_simple,
    shapes = "{(batch, 3), (batch, 4)} -> (batch, 7)",
    keras = "keras.layers.Concatenate(axis=-1)([a, b])",
    example = "nn.Concatenate()({tensor.ones(2, 3), tensor.zeros(2, 4)}).shape",
  },
  {
    name = "nn.Dot", section = "Merge and reshape layers",
    signature = "nn.Dot(axes [, {normalize=, name=}])  |  nn.Dot{axes=, normalize=, name=}",
    computes = "The dot product of two tensors per sample over the given axes (an integer, or a pair "
      .. "{axis1, axis2}, counted with the batch axis as Keras does); with normalize, the cosine "
      .. "similarity. {2, 2} on (batch, Tq, d) and (batch, Tk, d) gives query-key scores.",
    computes_zh = "对每个样本，沿给定的轴求两个张量的点积。axes 是一个整数或一对 {axis1, axis2}，"
      .. "和 Keras 一样，编号包含批量轴；normalize 为 true 时得到余弦相似度。"
      .. "在 (batch, Tq, d) 和 (batch, Tk, d) 上用 {2, 2}，得到查询和键的注意力分数。",
    options = {
      o("normalize", "false", "L2-normalize both inputs along the axes first (cosine similarity)",
        "先沿这些轴对两个输入做 L2 归一化（得到余弦相似度）"),
      name_opt("\"dot\""),
    },
    call_options = call_simple,
    shapes = "{(batch, Tq, d), (batch, Tk, d)} with axes {2, 2} -> (batch, Tq, Tk)",
    shapes_zh = "{(batch, Tq, d), (batch, Tk, d)} 用 axes {2, 2} 得 (batch, Tq, Tk)",
    keras = "keras.layers.Dot(axes=(2, 2))([q, k])",
    example = "q = tensor.randn(2, 4, 8)\nk = tensor.randn(2, 6, 8)\nnn.Dot{axes={2, 2}}({q, k}).shape  -- (2, 4, 6)",
  },
  {
    name = "nn.Permute", section = "Merge and reshape layers",
    signature = "nn.Permute{2, 1}, nn.Permute({2, 1}, {name=}), nn.Permute{dims={2, 1}}",
    computes = "Permutes the axes after the batch axis; dims count from 1 without the batch axis, "
      .. "as in Keras (Permute((2, 1)) swaps time and features).",
    computes_zh = "重新排列批量轴之后的轴；和 Keras 一样，dims 不算批量轴、从 1 开始数"
      .. "（Permute((2, 1)) 交换时间轴和特征轴）。",
    options = { name_opt("\"permute\"") },
    call_options = call_simple,
    shapes = "(batch, 5, 3) with {2, 1} -> (batch, 3, 5)",
    shapes_zh = "(batch, 5, 3) 用 {2, 1} 得 (batch, 3, 5)",
    keras = "keras.layers.Permute((2, 1))",
    example = "nn.Permute{2, 1}(tensor.randn(2, 5, 3)).shape",
  },
  {
    name = "nn.Reshape", section = "Merge and reshape layers",
    signature = "nn.Reshape{3, 4}, nn.Reshape({3, 4}, {name=}), nn.Reshape{target_shape={3, 4}}",
    computes = "Reshapes each sample to target_shape (without the batch axis); one size may be -1.",
    computes_zh = "把每个样本变成 target_shape 的形状（不含批量轴）；可以有一个大小写成 -1。",
    options = { name_opt("\"reshape\"") },
    call_options = call_simple,
    shapes = "(batch, 12) with {3, 4} -> (batch, 3, 4)",
    shapes_zh = "(batch, 12) 用 {3, 4} 得 (batch, 3, 4)",
    keras = "keras.layers.Reshape((3, 4))",
    example = "nn.Reshape{3, 2}(tensor.ones(4, 6)).shape\nnn.Reshape{-1}(tensor.ones(4, 2, 3)).shape",
  },
  {
    name = "nn.Flatten", section = "Merge and reshape layers",
    signature = "nn.Flatten{data_format=, name=}",
    computes = "Flattens each sample into one axis.",
    computes_zh = "把每个样本拉平成一个轴。",
    options = { data_format, name_opt("\"flatten\"") },
    call_options = call_simple,
    shapes = "(batch, 3, 4) -> (batch, 12)",
    keras = "keras.layers.Flatten()",
    example = "nn.Flatten()(tensor.ones(2, 3, 4)).shape",
  },
  {
    name = "nn.RepeatVector", section = "Merge and reshape layers",
    signature = "nn.RepeatVector(n, {name=})",
    computes = "Repeats each sample's vector n times along a new time axis (to feed a decoder).",
    computes_zh = "沿一个新的时间轴把每个样本的向量重复 n 次（常用来给解码器提供输入）。",
    options = { name_opt("\"repeat_vector\"") },
    call_options = call_simple,
    shapes = "(batch, features) -> (batch, n, features)",
    keras = "keras.layers.RepeatVector(n)",
    example = "nn.RepeatVector(3)(tensor.ones(2, 4)).shape",
  },
  {
    name = "nn.GlobalAveragePooling1D",
    aliases = { "nn.GlobalAvgPool1D", "nn.GlobalMaxPooling1D", "nn.GlobalMaxPool1D" },
    section = "Merge and reshape layers",
    signature = "nn.GlobalAveragePooling1D{options}, nn.GlobalMaxPooling1D{options}",
    computes = "The mean (max) over the time axis; the average leaves masked steps out.",
    computes_zh = "沿时间轴求均值（最大值），即全局平均汇聚（全局最大汇聚）；求均值时不算被掩码的时间步。",
    options = {
      data_format,
      o("keepdims", "false", "keep the time axis with size 1", "保留时间轴，大小为 1"),
      name_opt("\"global_average_pooling1d\""),
    },
    call_options = call_simple,
    shapes = "(batch, time, features) -> (batch, features)",
    keras = "keras.layers.GlobalAveragePooling1D()",
    example = "nn.GlobalAveragePooling1D()(tensor.ones(2, 5, 3)).shape\nnn.GlobalMaxPooling1D{keepdims=true}(tensor.ones(2, 5, 3)).shape",
  },

  -- ---- recurrent layers --------------------------------------------------
  {
    name = "nn.GRU", section = "Recurrent layers",
    signature = "nn.GRU(units, {options})",
    computes = "Gated recurrent unit over time: z = sigmoid(x Wz + h Uz), r = sigmoid(x Wr + h Ur), "
      .. "h~ = tanh(x Wh + r*(h Uh)), h = z*h + (1-z)*h~ (Keras's reset_after form). Weights in Keras's "
      .. "layout: kernel (in, 3*units) with gates z | r | h, recurrent_kernel (units, 3*units), bias (2, 3*units).",
    computes_zh = "门控循环单元（GRU）沿时间计算：更新门 z = sigmoid(x Wz + h Uz)，重置门 r = sigmoid(x Wr + h Ur)，"
      .. "候选隐状态 h~ = tanh(x Wh + r*(h Uh))，新的隐状态 h = z*h + (1-z)*h~（Keras 的 reset_after 形式）。"
      .. "权重按 Keras 的布局存放：kernel 形状 (in, 3*units)，门的顺序是 z | r | h；"
      .. "recurrent_kernel 形状 (units, 3*units)；bias 形状 (2, 3*units)。",
    options = (function()
      local list = rnn_opts(rnn_common, "\"gru\"")
      table.insert(list, 4, rnn_options.reset_after)
      return list
    end)(),
    call_options = call_base,
    shapes = "(batch, time, features) -> (batch, units), or (batch, time, units) with return_sequences",
    shapes_zh = "(batch, time, features) 得 (batch, units)；加 return_sequences 得 (batch, time, units)",
    keras = "keras.layers.GRU(units, return_sequences=False, return_state=False)",
    example = "g = nn.GRU(64, {return_sequences=true})\nx = nn.Input{64, 16}\ng(x)  -- <Symbolic shape=(None, 64, 64) from gru>",
  },
  {
    name = "nn.LSTM", section = "Recurrent layers",
    signature = "nn.LSTM(units, {options})",
    computes = "Long short-term memory: input, forget and output gates i, f, o and a cell c: "
      .. "c = f*c + i*tanh(x Wc + h Uc), h = o*tanh(c). Two states, h and c; gates in Keras's order i | f | c | o.",
    computes_zh = "长短期记忆网络（LSTM）：输入门 i、遗忘门 f、输出门 o 和记忆元 c，"
      .. "c = f*c + i*tanh(x Wc + h Uc)，h = o*tanh(c)。有两个状态：隐状态 h 和记忆元状态 c；"
      .. "门按 Keras 的顺序排列：i | f | c | o。",
    options = (function()
      local list = rnn_opts(rnn_common, "\"lstm\"")
      table.insert(list, 4, o("unit_forget_bias", "true", "start the forget gate's bias at 1",
                              "遗忘门的偏置从 1 开始"))
      return list
    end)(),
    call_options = call_base,
    shapes = "(batch, time, features) -> (batch, units), or (batch, time, units) with return_sequences",
    shapes_zh = "(batch, time, features) 得 (batch, units)；加 return_sequences 得 (batch, time, units)",
    keras = "keras.layers.LSTM(units, return_sequences=False, return_state=False)",
    example = "l = nn.LSTM(32, {return_state=true})\ny, h, c = l(tensor.randn(2, 10, 8))\nc.shape",
  },
  {
    name = "nn.SimpleRNN", section = "Recurrent layers",
    signature = "nn.SimpleRNN(units, {options})",
    computes = "The plain recurrence h = tanh(x W + h U + b).",
    computes_zh = "最简单的循环神经网络（RNN）：h = tanh(x W + h U + b)。",
    options = (function()
      local list = {}
      for _, k in ipairs(rnn_common) do
        if k ~= "recurrent_activation" then list[#list + 1] = k end
      end
      return rnn_opts(list, "\"simple_rnn\"")
    end)(),
    call_options = call_base,
    shapes = "(batch, time, features) -> (batch, units), or (batch, time, units) with return_sequences",
    shapes_zh = "(batch, time, features) 得 (batch, units)；加 return_sequences 得 (batch, time, units)",
    keras = "keras.layers.SimpleRNN(units, return_sequences=False)",
    example = "r = nn.SimpleRNN(16)\nr(tensor.randn(4, 7, 3)).shape  -- (4, 16)",
  },
  {
    name = "nn.Bidirectional", section = "Recurrent layers",
    signature = "nn.Bidirectional(layer, {options})",
    computes = "Runs a copy of the recurrent layer forwards (forward_<name>) and another backwards "
      .. "(backward_<name>) and merges their outputs; the weights are the forward layer's, then the backward one's.",
    computes_zh = "双向层：把循环层复制两份，一份正向读序列（forward_<name>），一份反向读（backward_<name>），"
      .. "再合并两者的输出；权重先是正向层的，再是反向层的。",
    options = {
      o("merge_mode", "\"concat\"", "\"concat\", \"sum\", \"ave\", \"mul\", or None for both outputs",
        "\"concat\"、\"sum\"、\"ave\"、\"mul\"，或 None（两个方向的输出都返回）"),
      o("backward_layer", "nil", "a recurrent layer with go_backwards=true (nil: a copy of layer)",
        "一个 go_backwards=true 的循环层（nil 表示复制 layer）"),
      o("weights", "nil", "initial weights, as set_weights takes them", "初始权重，格式和 set_weights 相同"),
      name_opt("\"bidirectional\""),
    },
    call_options = call_base,
    shapes = "(batch, time, features) -> (batch, [time,] 2*units) with concat",
    shapes_zh = "concat 时 (batch, time, features) 得 (batch, [time,] 2*units)",
    keras = "keras.layers.Bidirectional(keras.layers.GRU(64, return_sequences=True))",
    example = "b = nn.Bidirectional(nn.GRU(32, {return_sequences=true}))\nb(nn.Input{64, 16})  -- (None, 64, 64)",
  },
  {
    name = "GRU:copy", aliases = { "LSTM:copy", "SimpleRNN:copy" }, section = "Recurrent layers",
    signature = "layer:copy([{overrides}])",
    computes = "A fresh recurrent layer (new weights, a new name) with the same options, changed by "
      .. "overrides; Bidirectional makes its two directions this way.",
    computes_zh = "新建一个选项相同的循环层（新的权重、新的名字），overrides 里的选项会覆盖原来的；"
      .. "Bidirectional 就是这样做出两个方向的层。",
    shapes = "the copy is not built until its first call",
    shapes_zh = "副本在第一次调用之前还没有权重",
    keras = "keras.layers.GRU.from_config(layer.get_config())",
    example = "g = nn.GRU(4)\nback = g:copy{go_backwards=true}\nback",
  },

  -- ---- attention ---------------------------------------------------------
  {
    name = "nn.Attention", section = "Attention",
    signature = "nn.Attention{options}; layer({query, value [, key]} [, {call options}])",
    computes = "Dot-product (Luong) attention: scores = query key^T (times a learned scale "
      .. "with use_scale), weights = softmax(scores) over the keys, output = weights value. "
      .. "The key is the value when left out.",
    computes_zh = "点积（Luong）注意力：注意力分数 scores = query key^T（use_scale 时再乘一个学到的标量），"
      .. "注意力权重 weights = softmax(scores)（在键上做 softmax），输出 = weights value。不给键时，键就是值。",
    options = {
      o("use_scale", "false", "multiply the scores by a learned scalar", "把注意力分数乘以一个学到的标量"),
      o("score_mode", "\"dot\"", "\"dot\" or \"concat\" (sum of tanh(query + key))", "\"dot\" 或 \"concat\"（对 tanh(query + key) 求和）"),
      o("dropout", "0", "dropout on the weights while training", "训练时对注意力权重做 dropout 的比例"),
      name_opt("\"attention\""),
    },
    call_options = attention_call,
    shapes = "query (batch, Tq, dim), value (batch, Tv, dim) -> (batch, Tq, dim); "
      .. "layer:last_attention() is (batch, Tq, Tv)",
    shapes_zh = "查询 (batch, Tq, dim)、值 (batch, Tv, dim) 得 (batch, Tq, dim)；"
      .. "layer:last_attention() 的形状是 (batch, Tq, Tv)",
    keras = "keras.layers.Attention(use_scale=False, score_mode='dot')",
    example = "att = nn.Attention()\nq = tensor.randn(2, 4, 8)\nv = tensor.randn(2, 6, 8)\natt{q, v}.shape\natt:last_attention().shape",
  },
  {
    name = "nn.AdditiveAttention", section = "Attention",
    signature = "nn.AdditiveAttention{options}; layer({query, value [, key]} [, {call options}])",
    computes = "Additive (Bahdanau) attention: scores = sum(scale * tanh(query + key)), "
      .. "weights = softmax(scores), output = weights value.",
    computes_zh = "加性（Bahdanau）注意力：注意力分数 scores = sum(scale * tanh(query + key))，"
      .. "注意力权重 weights = softmax(scores)，输出 = weights value。",
    options = {
      o("use_scale", "true", "a learned scale vector (dim,)", "一个学到的缩放向量，形状 (dim,)"),
      o("dropout", "0", "dropout on the weights while training", "训练时对注意力权重做 dropout 的比例"),
      name_opt("\"additive_attention\""),
    },
    call_options = attention_call,
    shapes = "query (batch, Tq, dim), value (batch, Tv, dim) -> (batch, Tq, dim)",
    shapes_zh = "查询 (batch, Tq, dim)、值 (batch, Tv, dim) 得 (batch, Tq, dim)",
    keras = "keras.layers.AdditiveAttention(use_scale=True)",
    example = "add_att = nn.AdditiveAttention()\nadd_att{tensor.randn(2, 4, 8), tensor.randn(2, 6, 8)}.shape",
  },
  {
    name = "nn.MultiHeadAttention", section = "Attention",
    signature = "nn.MultiHeadAttention{num_heads=, key_dim=, options}; layer(query, value [, key] [, {call options}])",
    computes = "num_heads scaled dot-product attentions on learned projections of query, key "
      .. "and value, concatenated and projected back: softmax(Q K^T / sqrt(key_dim)) V per head. "
      .. "Also layer({query, value [, key]}, opts) and nn.MultiHeadAttention(num_heads, key_dim, opts).",
    computes_zh = "多头注意力：对查询、键、值各做一次学到的投影，算 num_heads 个缩放点积注意力"
      .. "（每个头 softmax(Q K^T / sqrt(key_dim)) V），拼起来再投影回去。"
      .. "也可以写 layer({query, value [, key]}, opts) 和 nn.MultiHeadAttention(num_heads, key_dim, opts)。",
    options = {
      o("num_heads", "nil", "required: the number of heads", "必须给出：头的个数"),
      o("key_dim", "nil", "required: the size of each head's queries and keys", "必须给出：每个头的查询和键的大小"),
      o("value_dim", "key_dim", "the size of each head's values", "每个头的值的大小"),
      o("dropout", "0", "dropout on the weights while training", "训练时对注意力权重做 dropout 的比例"),
      o("use_bias", "true", "biases in the projections", "投影带偏置"),
      o("output_shape", "nil", "the last axis of the output (nil: the query's features)", "输出最后一个轴的大小（nil 表示和查询的特征数相同）"),
      o("kernel_initializer", "\"glorot_uniform\"", "how the projection kernels start", "投影权重的初始化器"),
      o("bias_initializer", "\"zeros\"", "how the biases start", "偏置的初始化器"),
      name_opt("\"multi_head_attention\""),
    },
    call_options = {
      o("attention_mask", "nil", "(batch, Tq, Tv) of 0/1: which keys each query may see",
        "0/1 组成的 (batch, Tq, Tv)：每个查询能看哪些键"),
      o("use_causal_mask", "false", "query i may only look at keys j <= i", "第 i 个查询只能看第 j <= i 个键"),
      o("return_attention_scores", "false", "also return the weights (batch, heads, Tq, Tv)",
        "同时返回注意力权重 (batch, heads, Tq, Tv)"),
      call_training,
      o("value_mask", "nil", "(batch, Tv) of 0/1 (nil: the value's own mask)", "0/1 组成的 (batch, Tv)（nil 表示用值自带的掩码）"),
      o("key_mask", "nil", "(batch, Tk) of 0/1 (nil: the key's own mask)", "0/1 组成的 (batch, Tk)（nil 表示用键自带的掩码）"),
      o("query_mask", "nil", "must be nil: as in Keras 3 the query's own mask is used", "必须是 nil：和 Keras 3 一样，只用查询自带的掩码"),
    },
    shapes = "query (batch, Tq, dim) -> (batch, Tq, dim); last_attention() (batch, heads, Tq, Tv)",
    shapes_zh = "查询 (batch, Tq, dim) 得 (batch, Tq, dim)；last_attention() 的形状是 (batch, heads, Tq, Tv)",
    keras = "keras.layers.MultiHeadAttention(num_heads=2, key_dim=16)",
    example = "mha = nn.MultiHeadAttention{num_heads=2, key_dim=8}\nx = tensor.randn(2, 5, 16)\nmha(x, x).shape\nmha:last_attention().shape",
  },
  {
    name = "nn.AttentionPooling", aliases = { "nn.ProbAttention" }, section = "Attention",
    signature = "nn.AttentionPooling{options}",
    computes = "Attention pooling over time: u = x w, a = softmax(u) over time (masked steps "
      .. "excluded), output = sum_t a_t x_t. The tutorials call it ProbAttention.",
    computes_zh = "沿时间的注意力汇聚：u = x w，a = softmax(u)（在时间上做 softmax，不算被掩码的时间步），"
      .. "输出 = sum_t a_t x_t。教程里把它叫作 ProbAttention。",
    options = {
      o("kernel_initializer", "\"glorot_uniform\"", "how w (features, 1) starts", "w 的初始化器，w 的形状是 (features, 1)"),
      name_opt("\"attention_pooling\""),
    },
    shapes = "(batch, time, features) -> (batch, features); last_attention() (batch, 1, time)",
    shapes_zh = "(batch, time, features) 得 (batch, features)；last_attention() 的形状是 (batch, 1, time)",
    keras = "ProbAttention(keras.layers.Layer): softmax(x w) pooling",
    example = "p = nn.AttentionPooling()\np(tensor.randn(2, 10, 8)).shape\np:last_attention().shape",
  },
  {
    name = "nn.SelfAttention", section = "Attention",
    signature = "nn.SelfAttention(d_out, {options})",
    computes = "The tutorial's self-attention with one kernel (3, d_in, d_out): Q = x K[0], K = x K[1], "
      .. "V = x K[2]; output = softmax(Q K^T / scale) V. A mask on x masks the keys.",
    computes_zh = "教程里的自注意力，只用一个权重 kernel，形状 (3, d_in, d_out)：Q = x K[0]，K = x K[1]，"
      .. "V = x K[2]；输出 = softmax(Q K^T / scale) V。x 带掩码时，被掩码的键不参与。",
    options = {
      o("scale", "sqrt(d_out)", "the divisor of the scores (the tutorial's 64 ** 0.5 is scale=8)",
        "注意力分数的除数（教程里的 64 ** 0.5 就是 scale=8）"),
      o("kernel_initializer", "\"glorot_uniform\"", "how the kernel starts", "kernel 的初始化器"),
      name_opt("\"self_attention\""),
    },
    shapes = "(batch, time, d_in) -> (batch, time, d_out); last_attention() (batch, time, time)",
    shapes_zh = "(batch, time, d_in) 得 (batch, time, d_out)；last_attention() 的形状是 (batch, time, time)",
    keras = "SelfAttention(keras.layers.Layer): softmax(Q K^T / 8) V",
    example = "s = nn.SelfAttention(16)\ns(tensor.randn(2, 6, 8)).shape",
  },
  {
    name = "nn.TimeAttention", section = "Attention",
    signature = "nn.TimeAttention(T, {options})",
    computes = "Time-step attention of the BiGRU tutorial: on h transposed to (batch, C, T), "
      .. "a = softmax(tanh(h W1 + b1) W2) over time, output = sum_t a_t h_t. Its weights are the "
      .. "two Dense layers' (kernel_1, bias_1, kernel_2).",
    computes_zh = "BiGRU 教程里的时间步注意力：先把 h 转置成 (batch, C, T)，"
      .. "a = softmax(tanh(h W1 + b1) W2)（在时间上做 softmax），输出 = sum_t a_t h_t。"
      .. "它的权重就是那两个全连接层的权重（kernel_1、bias_1、kernel_2）。",
    options = {
      o("kernel_initializer", "\"glorot_uniform\"", "how W1 and W2 start", "W1 和 W2 的初始化器"),
      o("bias_initializer", "\"zeros\"", "how b1 starts", "b1 的初始化器"),
      name_opt("\"time_attention\""),
    },
    shapes = "(batch, T, C) -> (batch, C); last_attention() (batch, C, T)",
    shapes_zh = "(batch, T, C) 得 (batch, C)；last_attention() 的形状是 (batch, C, T)",
    keras = "Permute((2, 1)) + Dense(T, 'tanh') + Dense(T, 'softmax') + multiply + sum",
    example = "ta = nn.TimeAttention(10)\nta(tensor.randn(2, 10, 4)).shape\nta:last_attention().shape",
  },
  {
    name = "nn.ProbSparseAttention", section = "Attention",
    signature = "nn.ProbSparseAttention{factor=5, scale=, name=}; layer(x)  |  layer({query, value [, key]})",
    computes = "The Informer's ProbSparse self-attention: the factor*ceil(ln Tq) queries whose sampled "
      .. "scores stand out most attend with softmax(q K^T * scale); the others get uniform weights "
      .. "(the mean of V). Keys are sampled from the nn.seed stream.",
    computes_zh = "Informer 的 ProbSparse 自注意力：在抽样的注意力分数上最突出的 factor*ceil(ln Tq) 个查询"
      .. "用 softmax(q K^T * scale) 计算注意力权重；其余查询的权重是均匀的（输出 V 的均值）。"
      .. "键的抽样来自 nn.seed 的随机数流。",
    options = {
      o("factor", "5", "how many queries and sampled keys: factor * ceil(ln T)", "查询和抽样键的个数：factor * ceil(ln T)"),
      o("scale", "nil", "the factor of the scores (nil: 1 / sqrt(d))", "注意力分数乘的系数（nil 表示 1 / sqrt(d)）"),
      name_opt("\"prob_sparse_attention\""),
    },
    call_options = {
      o("mask", "nil", "accepted for Keras; masks are not applied", "为兼容 Keras 而接受，不应用掩码"),
      o("training", "nil", "accepted for Keras; no effect", "为兼容 Keras 而接受，不起作用"),
    },
    shapes = "(batch, time, d) -> (batch, time, d); last_attention() (batch, Tq, Tk)",
    shapes_zh = "(batch, time, d) 得 (batch, time, d)；last_attention() 的形状是 (batch, Tq, Tk)",
    keras = "Informer: ProbAttention(mask_flag=False, factor=5, scale=None)",
    example = "ps = nn.ProbSparseAttention{factor=2}\nps(tensor.randn(2, 8, 4)).shape\nps:last_attention().shape",
  },

  -- ---- what every layer has -------------------------------------------------
  {
    name = "nn.Layer", section = "Layer methods",
    signature = "layer(x [, {mask=, training=, initial_state=}])",
    computes = "The base class of every layer. Calling a layer builds its weights on the first call "
      .. "(from x's shape), then computes; on a symbolic tensor (from nn.Input) it only infers the "
      .. "shape and records the call for nn.Model. Recurrent layers return several values with "
      .. "return_state. The output carries a Keras mask (y.mask) when the layer supports masking.",
    computes_zh = "所有层的基类。第一次调用层时，按 x 的形状创建权重，然后计算；"
      .. "对符号张量（来自 nn.Input）调用时，只推出形状，并把这次调用记下来给 nn.Model 用。"
      .. "循环层在 return_state 时返回多个值。层支持掩码时，输出带着 Keras 掩码（y.mask）。",
    call_options = call_base,
    shapes = "each layer's entry gives its shapes",
    shapes_zh = "每个层的形状见它自己的说明",
    keras = "keras.layers.Layer.__call__(inputs, training=None, mask=None)",
    example = "d = nn.Dense(2)\nd(tensor.ones(3, 4))\nd(nn.Input{4})",
  },
  {
    name = "Layer:get_weights", aliases = { "Model:get_weights" }, section = "Layer methods",
    signature = "layer:get_weights() -> {w1, w2, ...}",
    computes = "Copies of the weights in Keras's order and layout (Dense: kernel, bias); a model "
      .. "gives every layer's, in order. Changing a copy changes nothing.",
    computes_zh = "按 Keras 的顺序和布局返回权重的副本（Dense：kernel、bias）；"
      .. "模型按层的顺序返回所有层的权重。改动副本不影响层本身。",
    shapes = "Dense(3) on 4 features: {(4, 3), (3,)}",
    shapes_zh = "4 个特征上的 Dense(3)：{(4, 3), (3,)}",
    keras = "layer.get_weights()",
    example = "d = nn.Dense(3)\nd(tensor.ones(1, 4));\nws = d:get_weights()\nws[1].shape\nws[2].shape",
  },
  {
    name = "Layer:set_weights", aliases = { "Model:set_weights" }, section = "Layer methods",
    signature = "layer:set_weights({w1, w2, ...})",
    computes = "Sets the weights from tensors or nested tables, in get_weights's order; every shape "
      .. "is checked before anything changes, as in Keras. The layer must be built (called once).",
    computes_zh = "按 get_weights 的顺序，用张量或嵌套表设置权重；和 Keras 一样，先检查所有形状，"
      .. "全部正确才修改。层必须已经建好（至少调用过一次）。",
    shapes = "the same shapes as get_weights returns",
    shapes_zh = "形状必须和 get_weights 返回的相同",
    keras = "layer.set_weights([kernel, bias])",
    example = "d = nn.Dense(2)\nd(tensor.ones(1, 3));\nd:set_weights{tensor.ones(3, 2), tensor.zeros(2)}\nd(tensor.ones(1, 3))",
  },
  {
    name = "Layer:count_params", aliases = { "Model:count_params" }, section = "Layer methods",
    signature = "layer:count_params() -> n",
    computes = "The number of weight values (the Param # column of model:summary()).",
    computes_zh = "权重里数值的总个数，即参数量（model:summary() 里 Param # 那一列）。",
    shapes = "Dense(3) on 4 features: 4*3 + 3 = 15",
    shapes_zh = "4 个特征上的 Dense(3)：4*3 + 3 = 15",
    keras = "layer.count_params()",
    example = "d = nn.Dense(3)\nd(tensor.ones(1, 4));\nd:count_params()",
  },
  {
    name = "Layer:last_attention",
    aliases = { "Layer:keep_attention", "Layer:keeps_attention", "Layer:attention_axes" },
    section = "Layer methods",
    signature = "layer:last_attention() -> weights | nil; layer:keeps_attention() -> bool; "
      .. "layer:attention_axes() -> {rows=, cols=}; layer:keep_attention(weights)",
    computes = "Every attention layer (and a Dense made with keep_output = true) keeps the attention "
      .. "weights of its last call; last_attention returns them (nil before the first call), ready for "
      .. "viz.heatmap. After model:predict(x) or model:evaluate(x, y) they cover every sample of x, the "
      .. "batches joined in order. On a layer that keeps none (a Dense without keep_output, a GRU) "
      .. "last_attention raises an error that says how to get some. keeps_attention() tells which "
      .. "layers keep weights. attention_axes() says what one sample's rows and columns are, the axis "
      .. "titles viz.attention uses: query/key position for Attention, AdditiveAttention, "
      .. "MultiHeadAttention, SelfAttention and ProbSparseAttention; learned query/time step for "
      .. "AttentionPooling; feature/time step for TimeAttention and for a Dense over a time-last "
      .. "sequence (recipe 1's Dense(T) on transpose(h, {0, 2, 1})); time step/unit for a Dense over "
      .. "(batch, time, features). keep_attention(w) is how a layer stores them (returns w).",
    computes_zh = "每个注意力层（以及用 keep_output = true 创建的 Dense）都保留最近一次调用的注意力权重；"
      .. "last_attention 返回它们（第一次调用之前返回 nil），可以直接交给 viz.heatmap。"
      .. "model:predict(x) 或 model:evaluate(x, y) 之后，它们包含 x 的每个样本，各批量按顺序拼接。"
      .. "对不保留权重的层（没有 keep_output 的 Dense、GRU 等），last_attention 会报错，并说明怎样才能得到权重。"
      .. "keeps_attention() 说明一个层是否保留权重。attention_axes() 说明一个样本的行和列各是什么，"
      .. "也就是 viz.attention 用的轴标题：Attention、AdditiveAttention、MultiHeadAttention、SelfAttention "
      .. "和 ProbSparseAttention 是 query/key position（查询位置/键位置）；AttentionPooling 是 "
      .. "learned query/time step（学到的查询/时间步）；TimeAttention 以及作用在时间轴在最后的序列上的 Dense"
      .. "（配方 1 中作用于 transpose(h, {0, 2, 1}) 的 Dense(T)）是 feature/time step（特征/时间步）；"
      .. "作用在 (batch, time, features) 上的 Dense 是 time step/unit（时间步/单元）。"
      .. "keep_attention(w) 是层保存权重的方法（返回 w）。",
    shapes = "(batch, Tq, Tk), or (batch, heads, Tq, Tk) for MultiHeadAttention",
    shapes_zh = "(batch, Tq, Tk)；MultiHeadAttention 是 (batch, heads, Tq, Tk)",
    keras = "layer([q, v], return_attention_scores=True)",
    example = "pool = nn.AttentionPooling()\npool(tensor.randn(2, 5, 3));\npool:last_attention().shape  -- (2, 1, 5)\n"
      .. "pool:attention_axes().cols\nnn.Dense(4):keeps_attention()",
  },
  {
    name = "Layer:add_weight", section = "Layer methods",
    signature = "layer:add_weight(name, shape, initializer) -> w",
    computes = "Adds a weight made by an initializer (a name from nn.initializers or a function(shape)): "
      .. "a leaf tensor that requires grad, stored as layer[name] and appended to layer.weights.",
    computes_zh = "用一个初始化器（nn.initializers 里的名字或一个 function(shape)）新建一个权重："
      .. "它是需要梯度的叶子张量，存为 layer[name]，并追加到 layer.weights 的末尾。",
    shapes = "w has the given shape",
    shapes_zh = "w 的形状就是给出的 shape",
    keras = "self.add_weight(name='w', shape=(d, 1), initializer='glorot_uniform')",
    example = "layer = nn.Activation('linear')\nw = layer:add_weight('w', {2, 3}, 'zeros')\nw.shape\nlayer:count_params()",
  },
  {
    name = "Layer:call",
    aliases = { "Layer:build", "Layer:compute_mask", "Layer:output_shape", "Model:call" },
    section = "Layer methods",
    signature = "layer:build(shape), layer:call(x, mask, opts), layer:compute_mask(x, mask), layer:output_shape(shape)",
    computes = "The steps layer(x) runs, as in Keras: build(shape) creates the weights once, call "
      .. "computes the output, compute_mask gives the output's mask; output_shape (Dense, Reshape) "
      .. "maps an input shape to the output shape. You rarely call them yourself; calling call "
      .. "directly skips the mask bookkeeping.",
    computes_zh = "layer(x) 内部的几个步骤，和 Keras 一样：build(shape) 创建一次权重，call 计算输出，"
      .. "compute_mask 给出输出的掩码；output_shape（Dense、Reshape 有）由输入形状算出输出形状。"
      .. "一般不需要自己调用它们；直接调用 call 会跳过掩码的处理。",
    shapes = "as the layer's own entry",
    shapes_zh = "见各层自己的说明",
    keras = "Layer.build / Layer.call / Layer.compute_mask / compute_output_shape",
    example = "d = nn.Dense(2)\nd(tensor.ones(1, 3));\nd:call(tensor.ones(4, 3)).shape\nd:output_shape({4, 3})",
  },

  -- ---- utilities -------------------------------------------------------------
  {
    name = "nn.seed", section = "Utilities",
    signature = "nn.seed(n)",
    computes = "Seeds the one global random stream: weight initializers, tensor.rand/randn, dropout, "
      .. "fit's shuffling and the data tasks without seed= all draw from it, so every run after "
      .. "nn.seed(n) is the same, bit for bit.",
    computes_zh = "设定全局随机数流的种子：权重初始化器、tensor.rand/randn、dropout、fit 的打乱顺序，"
      .. "以及不带 seed= 的数据任务，都从这个流里取数，所以 nn.seed(n) 之后每次运行的结果一模一样。",
    shapes = "n is an integer",
    shapes_zh = "n 是整数",
    keras = "keras.utils.set_random_seed(n)",
    example = "nn.seed(42)\na = tensor.randn(3)\nnn.seed(42)\ntensor.randn(3):totable()[1] == a:totable()[1]",
  },
  {
    name = "nn.clear_session", section = "Utilities",
    signature = "nn.clear_session()",
    computes = "Starts the automatic layer names again (dense, dense_1, ... restart at dense), as "
      .. "Keras's clear_session; useful before rebuilding a model whose weights were saved by name.",
    computes_zh = "让自动生成的层名重新开始（dense、dense_1……重新从 dense 开始），和 Keras 的 clear_session 一样；"
      .. "重建一个按名字保存过权重的模型之前很有用。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "keras.backend.clear_session()",
    example = "nn.clear_session()\nnn.Dense(2).name",
  },
  {
    name = "nn.is_tensor", section = "Utilities",
    signature = "nn.is_tensor(v) -> boolean",
    computes = "Whether v is a tensor (with values or symbolic).",
    computes_zh = "判断 v 是不是张量（有数值的张量和符号张量都算）。",
    shapes = "any value",
    shapes_zh = "任何值",
    keras = "keras.ops.is_tensor(v)",
    example = "nn.is_tensor(tensor.ones(2))\nnn.is_tensor({1, 2})",
  },
  {
    name = "nn.activations", section = "Utilities",
    signature = "nn.activations.<name>(x); nn.activations.get(name_or_function)",
    computes = "The activation functions layers accept by name: linear, relu, tanh, sigmoid, elu, selu, "
      .. "gelu, softplus, softsign, hard_sigmoid, silu (swish), softmax, log_softmax, exponential.",
    computes_zh = "层按名字接受的激活函数：linear、relu、tanh、sigmoid、elu、selu、gelu、softplus、softsign、"
      .. "hard_sigmoid、silu（swish）、softmax、log_softmax、exponential。",
    shapes = "element-wise; softmax over the last axis",
    shapes_zh = "逐元素计算；softmax 在最后一个轴上计算",
    keras = "keras.activations.get('relu')",
    example = "nn.activations.relu(tensor.from{-1, 2})\nnn.activations.get('tanh') == tensor.tanh",
  },
  {
    name = "nn.initializers", section = "Utilities",
    signature = "nn.initializers.<name>(shape); nn.initializers.get(name_or_function)",
    computes = "Keras's weight initializers by name: glorot_uniform, glorot_normal, he_uniform, he_normal, "
      .. "lecun_uniform, lecun_normal, orthogonal, zeros, ones, random_normal, random_uniform, "
      .. "truncated_normal. Each returns a new tensor of the shape; all draw from the nn.seed stream.",
    computes_zh = "Keras 的权重初始化器，按名字使用：glorot_uniform、glorot_normal、he_uniform、he_normal、"
      .. "lecun_uniform、lecun_normal、orthogonal、zeros、ones、random_normal、random_uniform、truncated_normal。"
      .. "每个都返回一个给定形状的新张量，随机数都来自 nn.seed 的流。",
    shapes = "the shape given, as a table",
    shapes_zh = "给出的形状（一个表）",
    keras = "keras.initializers.get('glorot_uniform')",
    example = "nn.initializers.orthogonal({3, 3}).shape\nnn.initializers.zeros({2})",
  },
  {
    name = "nn.metrics", section = "Utilities",
    signature = "nn.metrics.<name>(y_true, y_pred) -> hits, count",
    computes = "The metrics compile{metrics=} knows: binary_accuracy, categorical_accuracy, "
      .. "sparse_categorical_accuracy; \"accuracy\" picks one from the loss and the output shape, as Keras does. "
      .. "Each returns the number of hits and of samples.",
    computes_zh = "compile{metrics=} 认识的评估指标：binary_accuracy、categorical_accuracy、"
      .. "sparse_categorical_accuracy；和 Keras 一样，\"accuracy\" 会根据损失函数和输出形状选其中一个。"
      .. "每个都返回答对的个数和样本数。",
    shapes = "y_pred (batch, classes) and y_true (batch,) for sparse_categorical_accuracy",
    shapes_zh = "sparse_categorical_accuracy 的 y_pred 是 (batch, classes)，y_true 是 (batch,)",
    keras = "keras.metrics.SparseCategoricalAccuracy",
    example = "nn.metrics.sparse_categorical_accuracy(tensor.from{1, 0}, tensor.from{{0.2, 0.8}, {0.6, 0.4}})",
  },
  {
    name = "nn.classes",
    aliases = { "nn.DenseClass", "nn.AttentionClass", "nn.AdditiveAttentionClass",
                "nn.MultiHeadAttentionClass", "nn.ModelClass" },
    section = "Utilities",
    signature = "nn.classes[class_name]; nn.DenseClass, nn.AttentionClass, ..., nn.ModelClass",
    computes = "Every layer class by its class name (\"Dense\", \"GRU\", ..., \"Functional\" for nn.Model): "
      .. "the table of methods its layers share. nn.DenseClass, nn.AttentionClass, "
      .. "nn.AdditiveAttentionClass, nn.MultiHeadAttentionClass and nn.ModelClass are the same tables for those classes.",
    computes_zh = "按类名索引的所有层类（\"Dense\"、\"GRU\"……nn.Model 的类名是 \"Functional\"）："
      .. "也就是这个类的层共用的方法表。nn.DenseClass、nn.AttentionClass、nn.AdditiveAttentionClass、"
      .. "nn.MultiHeadAttentionClass 和 nn.ModelClass 就是其中几个类的同一张表。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "type(layer) / keras.layers.Dense",
    example = "nn.classes.Dense == nn.DenseClass\ngetmetatable(nn.Dense(2)) == nn.classes.Dense",
  },
  {
    name = "nn.option_names",
    aliases = { "viz.option_names", "data.option_names", "nn.losses.option_names",
                "nn.optimizers.option_names" },
    section = "Utilities",
    signature = "nn.option_names[class_name], viz.option_names.heatmap, data.option_names.needle, ...",
    computes = "The option names a function accepts, as sets (name -> true): nn.option_names by layer "
      .. "class (and \"Model\", \"Sequential\", \"Model:fit\", ...), viz.option_names and "
      .. "data.option_names by function, nn.losses.option_names and nn.optimizers.option_names by "
      .. "constructor. The prompt completes option names from them.",
    computes_zh = "函数接受的选项名，以集合的形式给出（选项名 -> true）：nn.option_names 按层的类名"
      .. "（还有 \"Model\"、\"Sequential\"、\"Model:fit\" 等），viz.option_names 和 data.option_names 按函数名，"
      .. "nn.losses.option_names 和 nn.optimizers.option_names 按构造函数名。提示符按它们补全选项名。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "inspect.signature(keras.layers.GRU).parameters",
    example = "nn.option_names.GRU.return_sequences\nviz.option_names.heatmap.fmt",
  },
}
