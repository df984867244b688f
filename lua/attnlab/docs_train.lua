-- attnlab.docs_train: the docstrings of models (nn.Input, nn.Model,
-- nn.Sequential and their methods: compile, fit, ...), of nn.losses and of
-- nn.optimizers. The entry format is described in lua/attnlab/docs.lua.

local function o(name, default, en, zh) return { name, default, en, zh } end

local M = "Models and training"
local L = "Losses"
local O = "Optimizers"

local model_call = {
  o("training", "nil", "true: training mode (dropout is applied)", "true 表示训练模式（这时才做 dropout）"),
  o("mask", "nil", "accepted for Keras; the inputs' own masks are used", "为兼容 Keras 而接受；模型使用输入自带的掩码"),
}

-- the options every loss constructor has
local loss_reduction = o("reduction", "\"sum_over_batch_size\"",
  "how the per-sample losses become one number: \"sum_over_batch_size\" (their mean; also \"mean\"), "
  .. "\"sum\", \"mean_with_sample_weight\" (divided by the sum of the weights) or \"none\" (keep them)",
  "怎样把每个样本的损失变成一个数：\"sum_over_batch_size\"（取均值，也可写 \"mean\"）、\"sum\"、"
  .. "\"mean_with_sample_weight\"（除以样本权重之和）或 \"none\"（保留每个样本的损失）")
local loss_axis = o("axis", "-1", "the class axis; only -1 is supported", "类别所在的轴；只支持 -1")
local function loss_name(default)
  return o("name", default, "the loss's name (shown by fit)", "损失函数的名字（fit 显示它）")
end
local from_logits = o("from_logits", "false", "y_pred holds raw scores (logits), not probabilities",
                      "y_pred 是未经 softmax/sigmoid 的原始分数（logits），而不是概率")
local label_smoothing = o("label_smoothing", "0", "move the targets towards uniform by this much (0 to 1)",
                          "把目标往均匀分布挪动这么多（0 到 1），即标签平滑")

-- the options every optimizer has
local function optimizer_options(lr, own, weight_decay)
  local list = { o("learning_rate", lr, "the step size, or a function(iterations) returning it (a schedule)",
                   "学习率，或一个返回学习率的函数 function(iterations)（学习率调度）") }
  for _, opt in ipairs(own) do list[#list + 1] = opt end
  for _, opt in ipairs {
    o("weight_decay", weight_decay or "nil", "decoupled weight decay: w -= w * weight_decay * learning_rate",
      "解耦的权重衰减：w -= w * weight_decay * learning_rate"),
    o("clipnorm", "nil", "clip each weight's gradient to this L2 norm", "把每个权重的梯度按 L2 范数裁剪到这个值"),
    o("global_clipnorm", "nil", "clip all gradients together to this L2 norm", "把所有梯度合在一起按 L2 范数裁剪到这个值"),
    o("clipvalue", "nil", "clip every gradient value to [-clipvalue, clipvalue]", "把每个梯度值裁剪到 [-clipvalue, clipvalue]"),
    o("name", "nil", "the optimizer's name (nil: its Keras name, e.g. \"adam\")", "优化器的名字（nil 表示 Keras 的名字，比如 \"adam\"）"),
  } do list[#list + 1] = opt end
  list[#list + 1] = { "decay", "nil", "Keras 2's argument: ignored with a warning", "Keras 2 的参数：给出时只警告并忽略",
                      ignored = true }
  return list
end
local epsilon = o("epsilon", "1e-7", "added to the denominator for stability", "加到分母上，保证数值稳定")
local momentum = o("momentum", "0", "the momentum (0 to 1)", "动量（0 到 1）")

return {
  -- ---- models --------------------------------------------------------------
  {
    name = "nn.Input", section = M,
    signature = "nn.Input{d1, d2, ...}  |  nn.Input{shape={...}, name=, batch_size=}",
    computes = "A symbolic tensor: it has a shape but no values. Calling layers on it records the "
      .. "graph that nn.Model replays on data; the batch axis is None.",
    computes_zh = "一个符号张量：有形状，没有数值。在它上面调用层，会记下计算图，nn.Model 之后在数据上重放这张图；"
      .. "批量轴的大小是 None。",
    options = {
      o("shape", "nil", "the shape without the batch axis (instead of the list form)", "不含批量轴的形状（代替直接列出大小的写法）"),
      o("name", "\"input_layer\"", "the input's name", "输入的名字"),
      o("batch_size", "nil", "a fixed batch size instead of None", "固定的批量大小，代替 None"),
    },
    shapes = "nn.Input{64, 32} is (None, 64, 32): None is the batch",
    shapes_zh = "nn.Input{64, 32} 的形状是 (None, 64, 32)，None 是批量轴",
    keras = "keras.Input(shape=(64, 32))",
    example = "x = nn.Input{64, 32}\nx\nnn.Input{shape={10}, batch_size=4}.shape",
  },
  {
    name = "nn.Model", section = M,
    signature = "nn.Model(inputs, outputs, {name=}); model(x [, {training=}])",
    computes = "Keras's functional model over the layers called between inputs and outputs "
      .. "(symbolic tensors, or lists of them). model(x) runs the graph on real tensors; called on "
      .. "symbolic tensors, the model is a layer of a bigger model.",
    computes_zh = "Keras 的函数式模型，包含从 inputs 到 outputs 之间调用过的所有层"
      .. "（inputs 和 outputs 是符号张量或它们的列表）。model(x) 在真实张量上运行这张图；"
      .. "对符号张量调用时，这个模型就成了更大模型里的一个层。",
    options = { o("name", "\"functional\"", "the model's name", "模型的名字") },
    call_options = model_call,
    shapes = "model(x) returns the outputs' shapes with the batch of x",
    shapes_zh = "model(x) 返回的形状就是 outputs 的形状，批量轴换成 x 的批量大小",
    keras = "keras.Model(inputs, outputs)",
    example = "inputs = nn.Input{10, 4}\nh = nn.GRU(8, {name='encoder'})(inputs)\n"
      .. "outputs = nn.Dense(1, {activation='sigmoid'})(h)\nmodel = nn.Model(inputs, outputs)\n"
      .. "model(tensor.randn(2, 10, 4)).shape",
  },
  {
    name = "nn.Sequential", section = M,
    signature = "nn.Sequential{layers...}  |  nn.Sequential({layers...}, {name=})",
    computes = "A stack of layers, each fed the previous one's output. Starting with an nn.Input, "
      .. "every layer is built as it is added, so its shape is known at once.",
    computes_zh = "把层一个接一个地叠起来，每一层的输入是上一层的输出。"
      .. "第一项是 nn.Input 时，每加一层就立即建好，形状马上就知道。",
    options = { o("name", "\"sequential\"", "the model's name", "模型的名字") },
    call_options = model_call,
    shapes = "starting with nn.Input{...}, every layer's shape is known as it is added",
    shapes_zh = "以 nn.Input{...} 开头时，每加一层都能知道它的形状",
    keras = "keras.Sequential([...])",
    example = "m = nn.Sequential{nn.Input{10, 4}, nn.GRU(8), nn.Dense(1)}\nm:summary()",
  },
  {
    name = "Sequential:add", section = M,
    signature = "seq:add(layer) -> seq",
    computes = "Appends a layer (or, first, an nn.Input) to a Sequential model and returns the model.",
    computes_zh = "在 Sequential 模型的末尾加一个层（第一项也可以是 nn.Input），返回这个模型。",
    shapes = "with an input, seq.output is the new last shape",
    shapes_zh = "有输入时，seq.output 就是加层之后最后的形状",
    keras = "model.add(layer)",
    example = "s = nn.Sequential()\ns:add(nn.Input{3})\ns:add(nn.Dense(2))\ns.output",
  },
  {
    name = "Model:summary", section = M,
    needs = "model from the nn.Model example", needs_zh = "nn.Model 示例中的 model",
    signature = "model:summary([{print_fn=false}]) -> text",
    computes = "Prints (and returns) Keras 3's table of layers, output shapes, parameter counts and, "
      .. "for a functional model, what each layer is connected to.",
    computes_zh = "打印（并返回）Keras 3 样式的表：每一层的名字和类型、输出形状、参数量，"
      .. "函数式模型还列出每层连接到哪里。",
    options = { o("print_fn", "nil", "false: return the text without printing it", "false 表示只返回文本，不打印") },
    shapes = "the Output Shape column has None for the batch",
    shapes_zh = "Output Shape 一列里批量轴是 None",
    keras = "model.summary()",
    example = "model:summary()",
  },
  {
    name = "Model:compile", section = M,
    needs = "model from the nn.Model example", needs_zh = "nn.Model 示例中的 model",
    signature = "model:compile{optimizer=, loss=, metrics=}",
    computes = "Chooses the optimizer, the loss and the metrics that fit reports; returns the model.",
    computes_zh = "选定优化器、损失函数和 fit 报告的评估指标；返回这个模型。",
    options = {
      o("optimizer", "\"rmsprop\"", "\"adam\", \"sgd\", \"rmsprop\", \"adamw\", \"adagrad\" or an nn.optimizers object",
        "\"adam\"、\"sgd\"、\"rmsprop\"、\"adamw\"、\"adagrad\" 或一个 nn.optimizers 对象"),
      o("loss", "nil", "required: \"binary_crossentropy\", \"sparse_categorical_crossentropy\", \"mse\", ..., "
        .. "a loss object or a function(y_true, y_pred)",
        "必须给出：\"binary_crossentropy\"、\"sparse_categorical_crossentropy\"、\"mse\" 等，"
        .. "一个损失函数对象，或一个函数 function(y_true, y_pred)"),
      o("metrics", "{}", "a list such as {\"accuracy\"} (nn.metrics)", "一个列表，比如 {\"accuracy\"}（见 nn.metrics）"),
    },
    keras = "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])",
    example = "model:compile{optimizer='adam', loss='binary_crossentropy', metrics={'accuracy'}}",
  },
  {
    name = "Model:fit", section = M,
    needs = "model compiled as in the Model:compile example", needs_zh = "Model:compile 示例中编译好的 model",
    signature = "model:fit(x, y, {options}) -> history",
    computes = "Trains with mini-batches: for each batch, loss(y, model(x)), backward, one optimizer step. "
      .. "Prints Keras's progress per epoch; Ctrl-C stops after the current batch and a NaN loss stops "
      .. "training, returning the history so far. history.history.loss[epoch] (and the metrics, val_*) "
      .. "record the curves.",
    computes_zh = "用小批量训练：每个批量算 loss(y, model(x))，反向传播，优化器走一步。"
      .. "每一轮打印 Keras 样式的进度；按 Ctrl-C 会在当前批量结束后停下，损失变成 NaN 也会停下，"
      .. "这时返回到目前为止的训练历史。history.history.loss[epoch]（以及各评估指标和 val_*）记录了曲线。",
    options = {
      o("epochs", "1", "passes over the data", "在数据上训练几轮"),
      o("batch_size", "32", "samples per step", "每一步用多少个样本"),
      o("validation_split", "0", "the fraction of the data held out (the last samples) as a validation set",
        "留出这个比例的数据（最后的那些样本）作为验证集"),
      o("validation_data", "nil", "{x_val, y_val}, a validation set given directly", "{x_val, y_val}，直接给出验证集"),
      o("shuffle", "true", "shuffle the samples every epoch (from the nn.seed stream)", "每一轮打乱样本的顺序（随机数来自 nn.seed 的流）"),
      o("verbose", "\"auto\"", "0 silent, 1 progress bar, 2 one line per epoch", "0 不打印，1 进度条，2 每轮一行"),
      o("callbacks", "{}", "functions(epoch, logs), or tables with on_epoch_end / on_batch_end; "
        .. "epochs and batches count from 0, as in Keras (a table finds the model in cb.model; model.stop_training = true stops after the batch)",
        "回调：函数 function(epoch, logs)，或带 on_epoch_end / on_batch_end 的表；"
        .. "和 Keras 一样，轮和批量都从 0 开始数"
        .. "（表可以从 cb.model 拿到模型；设置 model.stop_training = true 会在当前批量之后停止训练）"),
    },
    shapes = "x (samples, ...) and y (samples, ...) with the same first axis",
    shapes_zh = "x 是 (samples, ...)，y 是 (samples, ...)，两者第 0 轴的大小相同",
    keras = "model.fit(x, y, epochs=10, batch_size=32, validation_split=0.2)",
    example = "nn.seed(1)\nx_train = tensor.randn(64, 10, 4)\ny_train = tensor.greater(x_train:mean{axis={1, 2}}, 0)\n"
      .. "history = model:fit(x_train, y_train, {epochs=3, batch_size=16, validation_split=0.25})\n"
      .. "history.history.loss",
  },
  {
    name = "Model:evaluate", section = M,
    needs = "model and x_train, y_train from the Model:fit example", needs_zh = "Model:fit 示例中的 model、x_train 和 y_train",
    signature = "model:evaluate(x, y, {batch_size=, verbose=}) -> loss, metric1, ...",
    computes = "The mean loss and the metrics on (x, y), in inference mode (no dropout, no training). "
      .. "Like predict, it keeps the attention weights of every sample: afterwards each attention "
      .. "layer's last_attention() has one row per sample of x, the batches joined in order.",
    computes_zh = "在推理模式下（不做 dropout，也不训练）计算 (x, y) 上的平均损失和各评估指标。"
      .. "和 predict 一样，它保留每个样本的注意力权重：之后每个注意力层的 last_attention() "
      .. "对 x 的每个样本都有一行，各批量按顺序拼接。",
    options = {
      o("batch_size", "32", "samples per batch", "每个批量的样本数"),
      o("verbose", "nil", "accepted for Keras; evaluate prints nothing", "为兼容 Keras 而接受；evaluate 不打印"),
    },
    shapes = "as for fit",
    shapes_zh = "和 fit 相同",
    keras = "loss, acc = model.evaluate(x, y)",
    example = "loss, acc = model:evaluate(x_train, y_train)\nacc >= 0 and acc <= 1",
  },
  {
    name = "Model:predict", section = M,
    needs = "model and x_train from the Model:fit example", needs_zh = "Model:fit 示例中的 model 和 x_train",
    signature = "model:predict(x, {batch_size=, verbose=}) -> y",
    computes = "Runs the model on x in batches, in inference mode, and joins the outputs. "
      .. "The attention weights of every batch are kept and joined the same way: afterwards "
      .. "layer:last_attention() is (samples, ...), row i the weights of sample i of x, whatever the "
      .. "batch_size. When they would not fit in the memory limit (tensor.memory), predict stops with "
      .. "an error that names the layer and the size.",
    computes_zh = "在推理模式下分批在 x 上运行模型，再把输出拼起来。"
      .. "每个批量的注意力权重也被保留并同样拼接：之后 layer:last_attention() 的形状是 (samples, ...)，"
      .. "第 i 行就是 x 中第 i 个样本的权重，与 batch_size 无关。如果它们超出内存上限（见 tensor.memory），"
      .. "predict 会报错，并说明是哪个层、需要多大。",
    options = {
      o("batch_size", "32", "samples per batch", "每个批量的样本数"),
      o("verbose", "nil", "accepted for Keras; predict prints nothing", "为兼容 Keras 而接受；predict 不打印"),
    },
    shapes = "x (samples, ...) -> (samples, outputs...); an attention layer's last_attention() (samples, Tq, Tk)",
    shapes_zh = "x 是 (samples, ...)，得到的第 0 轴也是 samples，其余的轴和模型输出相同；"
      .. "注意力层的 last_attention() 是 (samples, Tq, Tk)",
    keras = "model.predict(x)",
    example = "p = model:predict(x_train)\np.shape",
  },
  {
    name = "Model:save_weights", aliases = { "Model:load_weights" }, section = M,
    needs = "model from the nn.Model example", needs_zh = "nn.Model 示例中的 model",
    signature = "model:save_weights(path) -> true | nil, message; model:load_weights(path, {by_position=})",
    computes = "Writes every weight to a .safetensors file by name (atomically), and reads them back; "
      .. "load_weights checks every name and shape first and changes nothing when one is off. "
      .. "Both return true, or nil and a message.",
    computes_zh = "按名字把所有权重写进 .safetensors 文件（原子地写入），以及再读回来；"
      .. "load_weights 先检查每个名字和形状，只要有一个不对就什么都不改。两者都返回 true，或 nil 加一条消息。",
    options = {
      o("by_position", "false", "load_weights: match the weights in order, not by name (for a model rebuilt "
        .. "in the same session, whose layers got other names)",
        "load_weights：按顺序而不是按名字对应权重（同一次会话里重建的模型，层名会不同）"),
    },
    shapes = "every saved shape must equal the model's",
    shapes_zh = "保存的每个形状都必须和模型的相同",
    keras = "model.save_weights('m.weights.h5') / model.load_weights(...)",
    example = "assert(model:save_weights(\"model.safetensors\"))\nassert(model:load_weights(\"model.safetensors\"))",
  },
  {
    name = "Model:get_layer", section = M,
    needs = "model from the nn.Model example", needs_zh = "nn.Model 示例中的 model",
    signature = "model:get_layer(name) -> layer",
    computes = "The layer of the model with that name (an error names the model when there is none); "
      .. "model.layers lists them all, the inputs first.",
    computes_zh = "返回模型里叫这个名字的层（找不到时报错，错误信息里有模型的名字）；"
      .. "model.layers 列出所有层，输入排在最前面。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "model.get_layer('encoder')",
    example = "model:get_layer('encoder')",
  },
  {
    name = "Model:get_weights_list", section = M,
    needs = "model from the nn.Model example", needs_zh = "nn.Model 示例中的 model",
    signature = "model:get_weights_list() -> weights, names",
    computes = "The model's weight tensors themselves (not copies, each once, in the order of the layers) "
      .. "and their names \"layer/weight\"; an optimizer's apply takes this list.",
    computes_zh = "返回模型的权重张量本身（不是副本，每个只出现一次，按层的顺序）和它们的名字 \"层名/权重名\"；"
      .. "优化器的 apply 接受的就是这个列表。",
    shapes = "GRU(8) on 4 features: kernel (4, 24), recurrent_kernel (8, 24), bias (2, 24)",
    shapes_zh = "4 个特征上的 GRU(8)：kernel (4, 24)，recurrent_kernel (8, 24)，bias (2, 24)",
    keras = "model.trainable_weights",
    example = "ws, names = model:get_weights_list()\nnames",
  },
  {
    name = "Model:forward", section = M,
    needs = "model from the nn.Model example", needs_zh = "nn.Model 示例中的 model",
    signature = "model:forward(x [, training])",
    computes = "Runs the model on real tensors, as model(x) does; training = true applies dropout.",
    computes_zh = "在真实张量上运行模型，和 model(x) 一样；training = true 时做 dropout。",
    shapes = "as model(x)",
    shapes_zh = "和 model(x) 相同",
    keras = "model(x, training=False)",
    example = "model:forward(tensor.randn(2, 10, 4)).shape",
  },

  -- ---- losses ----------------------------------------------------------------
  {
    name = "nn.losses", section = L,
    signature = "nn.losses.<Class>{options}; loss(y_true, y_pred [, sample_weight])",
    computes = "Keras 3's losses: CategoricalCrossentropy, SparseCategoricalCrossentropy, "
      .. "BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError (classes), the same as functions "
      .. "(categorical_crossentropy, ...: per-sample losses), LossFunctionWrapper and get. "
      .. "Labels may be tensors or nested tables.",
    computes_zh = "Keras 3 的损失函数：类 CategoricalCrossentropy、SparseCategoricalCrossentropy、"
      .. "BinaryCrossentropy、MeanSquaredError、MeanAbsoluteError，同名的函数形式"
      .. "（categorical_crossentropy 等，返回每个样本的损失），以及 LossFunctionWrapper 和 get。"
      .. "标签可以是张量，也可以是嵌套表。",
    shapes = "y_pred (batch, ...), per-sample losses (batch, ...) without the last axis",
    shapes_zh = "y_pred 是 (batch, ...)；每个样本的损失去掉最后一个轴",
    keras = "keras.losses",
    example = "loss = nn.losses.get('mse')\nloss(tensor.from{{1, 2}}, tensor.from{{0, 0}})",
  },
  {
    name = "nn.losses.CategoricalCrossentropy", aliases = { "nn.losses.categorical_crossentropy" },
    section = L,
    signature = "nn.losses.CategoricalCrossentropy{options}; nn.losses.categorical_crossentropy(y_true, y_pred [, {options}])",
    computes = "-sum(y_true * log(y_pred)) over the classes, with one-hot y_true; the function form "
      .. "returns the per-sample losses.",
    computes_zh = "对类别求 -sum(y_true * log(y_pred))，y_true 是独热编码；函数形式返回每个样本的损失。",
    options = { from_logits, label_smoothing, loss_reduction, loss_name("\"categorical_crossentropy\""), loss_axis },
    shapes = "y_true and y_pred (batch, classes) -> () (reduction \"none\": (batch,))",
    shapes_zh = "y_true 和 y_pred 都是 (batch, classes)，得 ()（reduction 为 \"none\" 时得 (batch,)）",
    keras = "keras.losses.CategoricalCrossentropy(from_logits=False, label_smoothing=0.0)",
    example = "cce = nn.losses.CategoricalCrossentropy()\ncce(tensor.from{{0, 1}}, tensor.from{{0.2, 0.8}})",
  },
  {
    name = "nn.losses.SparseCategoricalCrossentropy", aliases = { "nn.losses.sparse_categorical_crossentropy" },
    section = L,
    signature = "nn.losses.SparseCategoricalCrossentropy{options}; nn.losses.sparse_categorical_crossentropy(y_true, y_pred [, {options}])",
    computes = "-log(y_pred[label]) with integer labels (0-based class indices).",
    computes_zh = "-log(y_pred[label])，标签是整数（从 0 开始的类别下标）。",
    options = { from_logits, loss_reduction, loss_name("\"sparse_categorical_crossentropy\""), loss_axis },
    shapes = "y_true (batch,) integers, y_pred (batch, classes) -> ()",
    shapes_zh = "y_true 是整数 (batch,)，y_pred 是 (batch, classes)，得 ()",
    keras = "keras.losses.SparseCategoricalCrossentropy(from_logits=False)",
    example = "scce = nn.losses.SparseCategoricalCrossentropy()\nscce(tensor.from{1, 0}, tensor.from{{0.2, 0.8}, {0.6, 0.4}})",
  },
  {
    name = "nn.losses.BinaryCrossentropy", aliases = { "nn.losses.binary_crossentropy" }, section = L,
    signature = "nn.losses.BinaryCrossentropy{options}; nn.losses.binary_crossentropy(y_true, y_pred [, {options}])",
    computes = "-(y log p + (1 - y) log(1 - p)), averaged over the last axis, for 0/1 labels.",
    computes_zh = "-(y log p + (1 - y) log(1 - p))，在最后一个轴上取平均，标签是 0 或 1。",
    options = { from_logits, label_smoothing, loss_reduction, loss_name("\"binary_crossentropy\""), loss_axis },
    shapes = "y_true and y_pred (batch, 1) (or (batch,)) -> ()",
    shapes_zh = "y_true 和 y_pred 都是 (batch, 1)（或 (batch,)），得 ()",
    keras = "keras.losses.BinaryCrossentropy(from_logits=False)",
    example = "bce = nn.losses.BinaryCrossentropy{from_logits=true}\nbce(tensor.from{1, 0}, tensor.from{2, -1})",
  },
  {
    name = "nn.losses.MeanSquaredError",
    aliases = { "nn.losses.mean_squared_error", "nn.losses.MeanAbsoluteError", "nn.losses.mean_absolute_error" },
    section = L,
    signature = "nn.losses.MeanSquaredError{options}, MeanAbsoluteError{options}; mean_squared_error(y_true, y_pred)",
    computes = "The mean over the last axis of (y_true - y_pred)^2 (MeanAbsoluteError: |y_true - y_pred|); "
      .. "\"mse\" and \"mae\" are their short names in compile and get.",
    computes_zh = "在最后一个轴上求 (y_true - y_pred)^2 的均值（MeanAbsoluteError 求 |y_true - y_pred| 的均值）；"
      .. "在 compile 和 get 里可以简写成 \"mse\" 和 \"mae\"。",
    options = { loss_reduction, loss_name("\"mean_squared_error\""), loss_axis },
    shapes = "(batch, n) and (batch, n) -> () (per sample: (batch,))",
    shapes_zh = "(batch, n) 和 (batch, n) 得 ()（每个样本的损失：(batch,)）",
    keras = "keras.losses.MeanSquaredError() / 'mse'",
    example = "mse = nn.losses.MeanSquaredError()\nmse(tensor.from{{1, 2}}, tensor.from{{0, 0}})\nnn.losses.mean_absolute_error(tensor.from{{1, 2}}, tensor.from{{0, 0}})",
  },
  {
    name = "nn.losses.LossFunctionWrapper", section = L,
    signature = "nn.losses.LossFunctionWrapper(fn, {reduction=, name=})",
    computes = "A loss object from a Lua function(y_true, y_pred) returning per-sample losses (made of "
      .. "tensor ops, so it has gradients); compile{loss=fn} wraps a function this way.",
    computes_zh = "用一个 Lua 函数 function(y_true, y_pred) 做成损失函数对象；这个函数用张量运算返回每个样本的损失，"
      .. "所以有梯度。compile{loss=fn} 就是这样包装一个函数的。",
    options = { loss_reduction, loss_name("\"loss\"") },
    shapes = "fn returns (batch,) or a number",
    shapes_zh = "fn 返回 (batch,) 或一个数",
    keras = "keras.losses.LossFunctionWrapper(fn)",
    example = "l1 = nn.losses.LossFunctionWrapper(function(y, p) return (y - p):abs():mean(-1) end, {name='l1'})\nl1(tensor.from{{1, 2}}, tensor.from{{0, 0}})",
  },
  {
    name = "nn.losses.Loss", section = L,
    signature = "nn.losses.Loss",
    computes = "The class every loss object's methods come from: loss(y_true, y_pred [, sample_weight]) "
      .. "(Loss:call), loss:per_sample(y_true, y_pred) and loss:get_config().",
    computes_zh = "所有损失函数对象的方法都来自这个类：loss(y_true, y_pred [, sample_weight])（即 Loss:call）、"
      .. "loss:per_sample(y_true, y_pred) 和 loss:get_config()。",
    shapes = "see Loss:call",
    shapes_zh = "见 Loss:call",
    keras = "keras.losses.Loss",
    example = "nn.losses.is_loss(nn.losses.MeanSquaredError())",
  },
  {
    name = "Loss:call", section = L,
    signature = "loss(y_true, y_pred [, sample_weight])  |  loss:call(y_true, y_pred [, sample_weight])",
    computes = "Keras's Loss.__call__: the per-sample losses, weighted by sample_weight and by the Keras "
      .. "mask of y_pred (if any), then reduced as the loss's reduction says. The result is a 0-d tensor "
      .. "(l:backward() trains), or the per-sample losses with reduction \"none\".",
    computes_zh = "Keras 的 Loss.__call__：先得到每个样本的损失，乘以 sample_weight 和 y_pred 的 Keras 掩码（如果有），"
      .. "再按损失函数的 reduction 归约。结果是 0 维张量（l:backward() 就能训练）；"
      .. "reduction 为 \"none\" 时是每个样本的损失。",
    shapes = "sample_weight (batch,)",
    shapes_zh = "sample_weight 的形状是 (batch,)",
    keras = "loss_fn(y_true, y_pred, sample_weight=None)",
    example = "mse = nn.losses.MeanSquaredError()\nmse(tensor.from{{1}, {1}}, tensor.from{{0}, {0}}, tensor.from{1, 3})",
  },
  {
    name = "Loss:per_sample", section = L,
    signature = "loss:per_sample(y_true, y_pred)",
    computes = "The per-sample losses before weighting and reduction.",
    computes_zh = "每个样本的损失，还没有加权和归约。",
    shapes = "(batch, classes) -> (batch,)",
    keras = "keras.losses.mean_squared_error(y_true, y_pred)",
    example = "cce = nn.losses.CategoricalCrossentropy{label_smoothing=0.1}\ncce:per_sample(tensor.from{{0, 1}}, tensor.from{{0.2, 0.8}})",
  },
  {
    name = "Loss:get_config", section = L,
    signature = "loss:get_config() -> {name=, reduction=, ...}",
    computes = "The loss's settings as a table; nn.losses.get{class_name=, config=} builds the same loss again.",
    computes_zh = "以表的形式返回损失函数的设置；nn.losses.get{class_name=, config=} 可以用它重新建出同样的损失函数。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "loss.get_config()",
    example = "bce = nn.losses.BinaryCrossentropy{from_logits=true}\nbce:get_config().from_logits",
  },
  {
    name = "nn.losses.get", aliases = { "nn.losses.is_loss" }, section = L,
    signature = "nn.losses.get(id) -> loss; nn.losses.is_loss(v) -> boolean",
    computes = "get: a loss object for a Keras name or alias (\"mse\", \"mae\", \"bce\", "
      .. "\"sparse_categorical_crossentropy\", ...), a class name, a config {class_name=, config=}, a loss "
      .. "object (returned as is) or a function(y_true, y_pred) (wrapped), as compile{loss=} does. "
      .. "is_loss: whether v is a loss object.",
    computes_zh = "get：和 compile{loss=} 一样，由 Keras 的名字或简称（\"mse\"、\"mae\"、\"bce\"、"
      .. "\"sparse_categorical_crossentropy\" 等）、类名、配置 {class_name=, config=}、损失函数对象（原样返回）"
      .. "或函数 function(y_true, y_pred)（包装起来）得到一个损失函数对象。is_loss：判断 v 是不是损失函数对象。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "keras.losses.get('mse')",
    example = "nn.losses.get('mae')\nnn.losses.is_loss(nn.losses.get('bce'))",
  },

  -- ---- optimizers ----------------------------------------------------------------
  {
    name = "nn.optimizers", section = O,
    signature = "nn.optimizers.<Class>{options}; opt:apply(weights)",
    computes = "Keras 3's optimizers SGD, RMSprop, Adam, AdamW, Adagrad with Keras's defaults. One step: "
      .. "clip the gradients, decay the weights, run the update rule, opt.iterations += 1. The gradients "
      .. "are left as they are: zero them before the next backward.",
    computes_zh = "Keras 3 的优化器 SGD、RMSprop、Adam、AdamW、Adagrad，默认值和 Keras 相同。"
      .. "走一步：裁剪梯度、权重衰减、按更新规则修改权重，然后 opt.iterations 加 1。"
      .. "梯度保持不变：下一次 backward 之前要自己清零。",
    shapes = "each weight keeps its shape",
    shapes_zh = "每个权重的形状不变",
    keras = "keras.optimizers",
    example = "w = tensor.ones(2, {requires_grad=true})\n(w * w):sum():backward()\nopt = nn.optimizers.SGD{learning_rate=0.1}\nopt:apply{w}\nw",
  },
  {
    name = "nn.optimizers.SGD", section = O,
    signature = "nn.optimizers.SGD{options}",
    computes = "Stochastic gradient descent: w -= learning_rate * g; with momentum, "
      .. "v = momentum * v - learning_rate * g, w += v (nesterov: w += momentum * v - learning_rate * g).",
    computes_zh = "随机梯度下降：w -= learning_rate * g；有动量时 v = momentum * v - learning_rate * g，w += v"
      .. "（nesterov 时 w += momentum * v - learning_rate * g）。",
    options = optimizer_options("0.01", {
      momentum,
      o("nesterov", "false", "Nesterov momentum", "使用 Nesterov 动量"),
    }),
    shapes = "each weight keeps its shape",
    shapes_zh = "每个权重的形状不变",
    keras = "keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False)",
    example = "nn.optimizers.SGD{learning_rate=0.1, momentum=0.9}",
  },
  {
    name = "nn.optimizers.RMSprop", section = O,
    signature = "nn.optimizers.RMSprop{options}",
    computes = "RMSprop: a running mean of g^2 with rho, w -= learning_rate * g / sqrt(mean + epsilon) "
      .. "(centered: minus the squared running mean of g). compile's default optimizer.",
    computes_zh = "RMSprop：用 rho 维持 g^2 的滑动平均 mean，w -= learning_rate * g / sqrt(mean + epsilon)"
      .. "（centered 时再减去 g 的滑动平均的平方）。这是 compile 默认的优化器。",
    options = optimizer_options("0.001", {
      o("rho", "0.9", "the decay of the running mean (0 to 1)", "滑动平均的衰减率（0 到 1）"),
      momentum, epsilon,
      o("centered", "false", "divide by the estimated variance instead", "改为除以估计出的方差"),
    }),
    shapes = "each weight keeps its shape",
    shapes_zh = "每个权重的形状不变",
    keras = "keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9)",
    example = "nn.optimizers.RMSprop{learning_rate=1e-3}",
  },
  {
    name = "nn.optimizers.Adam", section = O,
    signature = "nn.optimizers.Adam{options}",
    computes = "Adam: m = beta_1 m + (1 - beta_1) g, v = beta_2 v + (1 - beta_2) g^2, "
      .. "w -= lr_t m / (sqrt(v) + epsilon) with Keras's bias correction in lr_t.",
    computes_zh = "Adam：m = beta_1 m + (1 - beta_1) g，v = beta_2 v + (1 - beta_2) g^2，"
      .. "w -= lr_t m / (sqrt(v) + epsilon)，lr_t 里含 Keras 的偏差校正。",
    options = optimizer_options("0.001", {
      o("beta_1", "0.9", "the decay of the first moment m", "一阶矩 m 的衰减率"),
      o("beta_2", "0.999", "the decay of the second moment v", "二阶矩 v 的衰减率"),
      epsilon,
      o("amsgrad", "false", "use the maximum of the past v (AMSGrad)", "使用历史上 v 的最大值（AMSGrad）"),
    }),
    shapes = "each weight keeps its shape",
    shapes_zh = "每个权重的形状不变",
    keras = "keras.optimizers.Adam(learning_rate=0.001)",
    example = "nn.optimizers.Adam{learning_rate=1e-3}",
  },
  {
    name = "nn.optimizers.AdamW", section = O,
    signature = "nn.optimizers.AdamW{options}",
    computes = "Adam with decoupled weight decay (weight_decay 0.004 by default).",
    computes_zh = "带解耦权重衰减的 Adam（weight_decay 默认 0.004）。",
    options = optimizer_options("0.001", {
      o("beta_1", "0.9", "the decay of the first moment m", "一阶矩 m 的衰减率"),
      o("beta_2", "0.999", "the decay of the second moment v", "二阶矩 v 的衰减率"),
      epsilon,
      o("amsgrad", "false", "use the maximum of the past v (AMSGrad)", "使用历史上 v 的最大值（AMSGrad）"),
    }, "0.004"),
    shapes = "each weight keeps its shape",
    shapes_zh = "每个权重的形状不变",
    keras = "keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.004)",
    example = "nn.optimizers.AdamW{weight_decay=0.01}",
  },
  {
    name = "nn.optimizers.Adagrad", section = O,
    signature = "nn.optimizers.Adagrad{options}",
    computes = "Adagrad: a sum of all past g^2, w -= learning_rate * g / sqrt(sum + epsilon).",
    computes_zh = "Adagrad：把过去所有的 g^2 累加成 sum，w -= learning_rate * g / sqrt(sum + epsilon)。",
    options = optimizer_options("0.001", {
      o("initial_accumulator_value", "0.1", "the starting value of the sum", "累加值的初始值"),
      epsilon,
    }),
    shapes = "each weight keeps its shape",
    shapes_zh = "每个权重的形状不变",
    keras = "keras.optimizers.Adagrad(learning_rate=0.001)",
    example = "nn.optimizers.Adagrad{learning_rate=0.01}",
  },
  {
    name = "nn.optimizers.Optimizer", section = O,
    signature = "nn.optimizers.Optimizer",
    computes = "The class every optimizer's methods come from: apply, apply_gradients, get_config, state_of, "
      .. "current_learning_rate, set_learning_rate. opt.learning_rate reads and sets the rate; "
      .. "opt.iterations counts the steps.",
    computes_zh = "所有优化器的方法都来自这个类：apply、apply_gradients、get_config、state_of、"
      .. "current_learning_rate、set_learning_rate。opt.learning_rate 可以读取和设置学习率；"
      .. "opt.iterations 记录走了多少步。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "keras.optimizers.Optimizer",
    example = "opt = nn.optimizers.Adam()\nopt.iterations\nopt.learning_rate",
  },
  {
    name = "Optimizer:apply", aliases = { "Optimizer:apply_gradients" }, section = O,
    signature = "opt:apply(weights), opt:apply(grads, weights), opt:apply_gradients({{grad, weight}, ...})",
    computes = "One step for every weight whose .grad is not nil (or with the gradients given, as Keras's "
      .. "apply and apply_gradients); the weights change in place. apply_gradients returns opt.iterations.",
    computes_zh = "对每个 .grad 不为 nil 的权重走一步（也可以像 Keras 的 apply 和 apply_gradients 那样直接给出梯度）；"
      .. "权重原地修改。apply_gradients 返回 opt.iterations。",
    shapes = "each gradient has its weight's shape",
    shapes_zh = "每个梯度和它的权重形状相同",
    keras = "optimizer.apply(grads, vars) / optimizer.apply_gradients(zip(grads, vars))",
    example = "w = tensor.ones(2, {requires_grad=true})\nopt = nn.optimizers.SGD{learning_rate=0.5}\n"
      .. "opt:apply_gradients{{tensor.ones(2), w}}\nw",
  },
  {
    name = "Optimizer:get_config", section = O,
    signature = "opt:get_config() -> {name=, learning_rate=, ...}",
    computes = "The optimizer's settings as a table; nn.optimizers.get{class_name=, config=} builds the same optimizer.",
    computes_zh = "以表的形式返回优化器的设置；nn.optimizers.get{class_name=, config=} 可以用它建出同样的优化器。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "optimizer.get_config()",
    example = "nn.optimizers.Adam{learning_rate=0.01}:get_config().beta_1",
  },
  {
    name = "Optimizer:state_of", section = O,
    signature = "opt:state_of(w) -> {momentum=, velocity=, ...} | nil",
    computes = "The state tensors the optimizer keeps for weight w, by Keras's names (Adam: momentum and "
      .. "velocity), or nil before w's first step.",
    computes_zh = "优化器为权重 w 保存的状态张量，按 Keras 的名字给出（Adam 是 momentum 和 velocity）；"
      .. "w 走第一步之前返回 nil。",
    shapes = "each state tensor has w's shape",
    shapes_zh = "每个状态张量都和 w 的形状相同",
    keras = "optimizer.variables",
    example = "w = tensor.ones(2, {requires_grad=true})\n(w * w):sum():backward()\nadam = nn.optimizers.Adam()\nadam:apply{w}\nadam:state_of(w).velocity",
  },
  {
    name = "Optimizer:current_learning_rate", aliases = { "Optimizer:set_learning_rate" }, section = O,
    signature = "opt:current_learning_rate(), opt:set_learning_rate(v); opt.learning_rate",
    computes = "The learning rate of the next step (a schedule function is called with opt.iterations), "
      .. "and setting it (a number or a function); opt.learning_rate = v does the same.",
    computes_zh = "下一步的学习率（学习率调度函数会用 opt.iterations 调用），以及设置学习率（一个数或一个函数）；"
      .. "opt.learning_rate = v 效果相同。",
    shapes = "numbers",
    shapes_zh = "数值",
    keras = "optimizer.learning_rate",
    example = "sgd = nn.optimizers.SGD{learning_rate=function(it) return 0.1 / (1 + it) end}\n"
      .. "sgd:current_learning_rate()\nsgd.learning_rate = 0.5\nsgd.learning_rate",
  },
  {
    name = "nn.optimizers.get", aliases = { "nn.optimizers.is_optimizer" }, section = O,
    signature = "nn.optimizers.get(id) -> optimizer; nn.optimizers.is_optimizer(v) -> boolean",
    computes = "get: a new optimizer with Keras's defaults for a name (\"adam\", any case), a config "
      .. "{class_name=, config=}, or an optimizer object (returned as is), as compile{optimizer=} does. "
      .. "is_optimizer: whether v is an optimizer.",
    computes_zh = "get：和 compile{optimizer=} 一样，由名字（\"adam\"，大小写都行）、配置 {class_name=, config=} "
      .. "或优化器对象（原样返回）得到一个优化器，默认值和 Keras 相同。is_optimizer：判断 v 是不是优化器。",
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "keras.optimizers.get('adam')",
    example = "nn.optimizers.get('adam')\nnn.optimizers.is_optimizer(nn.optimizers.get('sgd'))",
  },
}
