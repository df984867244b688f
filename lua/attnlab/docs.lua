-- attnlab.docs: every docstring of attnlab, in one table. help() at the
-- prompt reads it, and tools/gen_docs.lua writes docs/reference.md from it,
-- so the two never disagree.
--
-- Each entry: name (as typed, the key help() looks up), section, signature,
-- computes (what it computes), options ({ name, default, meaning }), shapes,
-- keras (the Keras line it corresponds to), example (a short script).
local docs = {}

docs.sections = { "Tensors", "Layers", "Recurrent layers", "Attention",
                  "Models and training", "Visualisation" }

docs.modules = {
  tensor = "tensors: creation, element-wise maths, reductions, matmul, shapes, autograd",
  nn = "layers (Dense, GRU, LSTM, SimpleRNN, Bidirectional, attention, ...) and models",
  viz = "heatmaps, grids, training curves (PNG, SVG, PDF) and terminal previews",
  data = "toy tasks (needle, marker, adding, sentiment), Tokenizer, pad_sequences",
}

docs.entries = {
  -- ---- tensors -----------------------------------------------------------
  {
    name = "tensor", section = "Tensors",
    signature = "tensor.<function>(...)  or  x:<function>(...)",
    computes = "The tensor module: float32 n-dimensional arrays with autograd. "
      .. "Every function is also a method: tensor.sum(x, 1) is x:sum(1).",
    shapes = "x.shape prints as (2, 3); x.ndim is the rank; None is an unknown size.",
    keras = "numpy / keras.ops",
    example = "x = tensor.arange(6):reshape(2, 3)\nx:sum(1)\nx.shape",
  },
  {
    name = "tensor.zeros", section = "Tensors",
    signature = "tensor.zeros(d1, d2, ...), tensor.ones(...), tensor.full(shape, v)",
    computes = "A new tensor filled with 0 (ones: 1; full: v).",
    shapes = "the sizes given -> (d1, d2, ...)",
    keras = "np.zeros((d1, d2)) / keras.ops.zeros",
    example = "tensor.zeros(2, 3)\ntensor.ones(4)",
  },
  {
    name = "tensor.randn", section = "Tensors",
    signature = "tensor.randn(d1, d2, ...), tensor.rand(...)",
    computes = "Random normal (randn, mean 0, std 1) or uniform in [0, 1) (rand) values; "
      .. "nn.seed(n) makes them repeatable.",
    shapes = "(d1, d2, ...)",
    keras = "np.random.randn(d1, d2) / keras.random.normal",
    example = "nn.seed(1)\nx = tensor.randn(2, 5, 4)",
  },
  {
    name = "tensor.from", section = "Tensors",
    signature = "tensor.from(nested_table)",
    computes = "A tensor from a (nested) Lua table of numbers; x:totable() goes back.",
    shapes = "{{1, 2}, {3, 4}} -> (2, 2)",
    keras = "np.array([[1, 2], [3, 4]])",
    example = "m = tensor.from{{1, 2}, {3, 4}}\nm:totable()",
  },
  {
    name = "tensor.matmul", section = "Tensors",
    signature = "tensor.matmul(a, b)  or  a:matmul(b)",
    computes = "Matrix product over the last two axes, batched over the leading ones.",
    shapes = "(..., n, k) @ (..., k, m) -> (..., n, m)",
    keras = "keras.ops.matmul(a, b) / a @ b",
    example = "q = tensor.randn(2, 5, 8)\nk = tensor.randn(2, 5, 8)\nscores = q:matmul(k:transpose{0, 2, 1})",
  },
  {
    name = "tensor.softmax", section = "Tensors",
    signature = "tensor.softmax(x, axis=-1)",
    computes = "exp(x) / sum(exp(x)) along axis (computed stably); each slice sums to 1. "
      .. "The heart of attention: scores become weights.",
    shapes = "same shape as x",
    keras = "keras.ops.softmax(x, axis=-1)",
    example = "tensor.softmax(tensor.from{1, 2, 3})",
  },
  {
    name = "tensor.sum", section = "Tensors",
    signature = "tensor.sum(x [, axis [, keepdims]]), tensor.mean, tensor.max, tensor.min",
    computes = "The sum (mean, max, min) of all elements, or along an axis (0-based, "
      .. "negative from the end).",
    shapes = "(2, 3) summed over axis 1 -> (2,); over all -> ()",
    keras = "keras.ops.sum(x, axis=1)",
    example = "x = tensor.ones(2, 3)\nx:sum()\nx:sum(1)",
  },
  {
    name = "tensor.reshape", section = "Tensors",
    signature = "tensor.reshape(x, d1, d2, ...), tensor.transpose(x, perm), "
      .. "tensor.expand_dims(x, axis), tensor.squeeze(x, axis)",
    computes = "Views of the same numbers with another shape; -1 in reshape is inferred; "
      .. "transpose permutes the axes (perm 0-based).",
    shapes = "(6,) -> reshape(2, 3) -> (2, 3); transpose{1, 0} -> (3, 2)",
    keras = "keras.ops.reshape / keras.ops.transpose",
    example = "x = tensor.arange(6):reshape(2, 3)\nx:transpose{1, 0}",
  },
  {
    name = "tensor.concat", section = "Tensors",
    signature = "tensor.concat({a, b, ...}, axis), tensor.stack({a, b, ...}, axis)",
    computes = "Joins tensors along an existing axis (concat) or a new one (stack).",
    shapes = "(2, 3) and (2, 4) on axis 1 -> (2, 7)",
    keras = "keras.ops.concatenate([a, b], axis=1)",
    example = "tensor.concat({tensor.ones(2, 3), tensor.zeros(2, 4)}, 1)",
  },
  {
    name = "tensor.backward", section = "Tensors",
    signature = "y:backward(); x.grad; x.requires_grad = true",
    computes = "Reverse-mode autograd: fills .grad of every leaf that requires grad.",
    shapes = "y must hold one element (a loss)",
    keras = "tf.GradientTape / torch's loss.backward()",
    example = "w = tensor.ones(3)\nw.requires_grad = true\n(w * w):sum():backward()\nw.grad",
  },

  -- ---- layers ------------------------------------------------------------
  {
    name = "nn.Dense", section = "Layers",
    signature = "nn.Dense(units, {options})",
    computes = "y = activation(x W + b) on the last axis of any input of rank >= 2.",
    options = {
      { "activation", "nil (linear)", "\"tanh\", \"relu\", \"sigmoid\", \"softmax\", ..." },
      { "use_bias", "true", "add the bias b" },
      { "kernel_initializer", "\"glorot_uniform\"", "how W starts" },
      { "bias_initializer", "\"zeros\"", "how b starts" },
      { "keep_output", "false", "keep the output for layer:last_attention() (a softmax Dense used as attention)" },
      { "name", "\"dense\", \"dense_1\", ...", "the layer's name" },
    },
    shapes = "(batch, ..., features) -> (batch, ..., units)",
    keras = "keras.layers.Dense(units, activation=None, use_bias=True)",
    example = "d = nn.Dense(3, {activation='tanh'})\nd(tensor.ones(2, 5, 4)).shape  -- (2, 5, 3)",
  },
  {
    name = "nn.Embedding", section = "Layers",
    signature = "nn.Embedding(input_dim, output_dim, {options})",
    computes = "Looks up a learned vector for each integer id.",
    options = {
      { "mask_zero", "false", "id 0 is padding: its steps are masked downstream" },
      { "embeddings_initializer", "\"random_uniform\"", "how the table starts" },
      { "name", "\"embedding\"", "the layer's name" },
    },
    shapes = "(batch, time) integer ids -> (batch, time, output_dim)",
    keras = "keras.layers.Embedding(input_dim, output_dim, mask_zero=False)",
    example = "e = nn.Embedding(100, 8, {mask_zero=true})\ne(tensor.from{{3, 7, 0}}).shape",
  },
  {
    name = "nn.Masking", section = "Layers",
    signature = "nn.Masking{mask_value=0}",
    computes = "Marks the time steps whose features all equal mask_value as padding "
      .. "(recurrent and attention layers then skip them) and zeroes them.",
    options = {
      { "mask_value", "0", "the value of a padded step" },
      { "name", "\"masking\"", "the layer's name" },
    },
    shapes = "(batch, time, features) -> the same; x.mask is (batch, time)",
    keras = "keras.layers.Masking(mask_value=0.0)",
    example = "m = nn.Masking{mask_value=0}\ny = m(tensor.from{{{1}, {0}}})\ny.mask",
  },

  -- ---- recurrent layers --------------------------------------------------
  {
    name = "nn.GRU", section = "Recurrent layers",
    signature = "nn.GRU(units, {options})",
    computes = "Gated recurrent unit over time: z = sigmoid(x Wz + h Uz), r = sigmoid(x Wr + h Ur), "
      .. "h~ = tanh(x Wh + r*(h Uh)), h = z*h + (1-z)*h~ (Keras's reset_after form).",
    options = {
      { "return_sequences", "false", "return every step's h, not just the last" },
      { "return_state", "false", "also return the final state" },
      { "go_backwards", "false", "read the sequence from the end" },
      { "reset_after", "true", "Keras 2/3's default (CuDNN-compatible) form" },
      { "activation", "\"tanh\"", "the candidate's activation" },
      { "recurrent_activation", "\"sigmoid\"", "the gates' activation" },
      { "use_bias", "true", "" },
      { "kernel_initializer", "\"glorot_uniform\"", "" },
      { "recurrent_initializer", "\"orthogonal\"", "" },
      { "bias_initializer", "\"zeros\"", "" },
      { "dropout", "0", "" }, { "recurrent_dropout", "0", "" },
      { "name", "\"gru\"", "the layer's name" },
    },
    shapes = "(batch, time, features) -> (batch, units), or (batch, time, units) with return_sequences",
    keras = "keras.layers.GRU(units, return_sequences=False, return_state=False)",
    example = "g = nn.GRU(64, {return_sequences=true})\nx = nn.Input{64, 16}\ng(x)  -- <Symbolic shape=(None, 64, 64) from gru>",
  },
  {
    name = "nn.LSTM", section = "Recurrent layers",
    signature = "nn.LSTM(units, {options})",
    computes = "Long short-term memory: input, forget and output gates and a cell c: "
      .. "c = f*c + i*tanh(x Wc + h Uc), h = o*tanh(c). Two states: h and c.",
    options = {
      { "return_sequences", "false", "return every step's h" },
      { "return_state", "false", "also return h and c" },
      { "go_backwards", "false", "read the sequence from the end" },
      { "unit_forget_bias", "true", "start the forget gate's bias at 1" },
      { "activation", "\"tanh\"", "" }, { "recurrent_activation", "\"sigmoid\"", "" },
      { "use_bias", "true", "" }, { "dropout", "0", "" },
      { "name", "\"lstm\"", "the layer's name" },
    },
    shapes = "(batch, time, features) -> (batch, units), or (batch, time, units) with return_sequences",
    keras = "keras.layers.LSTM(units, return_sequences=False, return_state=False)",
    example = "l = nn.LSTM(32, {return_state=true})\ny, h, c = l(tensor.randn(2, 10, 8))",
  },
  {
    name = "nn.SimpleRNN", section = "Recurrent layers",
    signature = "nn.SimpleRNN(units, {options})",
    computes = "The plain recurrence h = tanh(x W + h U + b).",
    options = {
      { "return_sequences", "false", "return every step's h" },
      { "return_state", "false", "also return the final h" },
      { "go_backwards", "false", "read the sequence from the end" },
      { "activation", "\"tanh\"", "" }, { "use_bias", "true", "" },
      { "name", "\"simple_rnn\"", "the layer's name" },
    },
    shapes = "(batch, time, features) -> (batch, units), or (batch, time, units) with return_sequences",
    keras = "keras.layers.SimpleRNN(units, return_sequences=False)",
    example = "r = nn.SimpleRNN(16)\nr(tensor.randn(4, 7, 3)).shape  -- (4, 16)",
  },
  {
    name = "nn.Bidirectional", section = "Recurrent layers",
    signature = "nn.Bidirectional(layer, {options})",
    computes = "Runs a copy of the recurrent layer forwards and another backwards and merges them.",
    options = {
      { "merge_mode", "\"concat\"", "\"concat\", \"sum\", \"ave\", \"mul\", or None for both outputs" },
      { "backward_layer", "a copy of layer", "a recurrent layer with go_backwards=true" },
      { "name", "\"bidirectional\"", "the layer's name" },
    },
    shapes = "(batch, time, features) -> (batch, [time,] 2*units) with concat",
    keras = "keras.layers.Bidirectional(keras.layers.GRU(64, return_sequences=True))",
    example = "b = nn.Bidirectional(nn.GRU(32, {return_sequences=true}))\nb(nn.Input{64, 16})  -- (None, 64, 64)",
  },

  -- ---- attention ---------------------------------------------------------
  {
    name = "nn.Attention", section = "Attention",
    signature = "nn.Attention{options}; layer({query, value [, key]})",
    computes = "Dot-product (Luong) attention: scores = query key^T (times a learned scale "
      .. "with use_scale), weights = softmax(scores) over the keys, output = weights value.",
    options = {
      { "use_scale", "false", "multiply the scores by a learned scalar" },
      { "score_mode", "\"dot\"", "\"dot\" or \"concat\"" },
      { "dropout", "0", "dropout on the weights while training" },
      { "name", "\"attention\"", "the layer's name" },
    },
    shapes = "query (batch, Tq, dim), value (batch, Tv, dim) -> (batch, Tq, dim); "
      .. "layer:last_attention() is (batch, Tq, Tv)",
    keras = "keras.layers.Attention(use_scale=False, score_mode='dot')",
    example = "att = nn.Attention()\nq = tensor.randn(2, 4, 8)\nv = tensor.randn(2, 6, 8)\natt{q, v}.shape\natt:last_attention().shape",
  },
  {
    name = "nn.AdditiveAttention", section = "Attention",
    signature = "nn.AdditiveAttention{options}; layer({query, value [, key]})",
    computes = "Additive (Bahdanau) attention: scores = sum(scale * tanh(query + key)), "
      .. "weights = softmax(scores), output = weights value.",
    options = {
      { "use_scale", "true", "a learned scale vector" },
      { "dropout", "0", "" },
      { "name", "\"additive_attention\"", "the layer's name" },
    },
    shapes = "query (batch, Tq, dim), value (batch, Tv, dim) -> (batch, Tq, dim)",
    keras = "keras.layers.AdditiveAttention(use_scale=True)",
    example = "att = nn.AdditiveAttention()\natt{tensor.randn(2, 4, 8), tensor.randn(2, 6, 8)}.shape",
  },
  {
    name = "nn.MultiHeadAttention", section = "Attention",
    signature = "nn.MultiHeadAttention{num_heads=, key_dim=, options}; layer(query, value [, key])",
    computes = "num_heads scaled dot-product attentions on learned projections of query, key "
      .. "and value, concatenated and projected back: softmax(Q K^T / sqrt(key_dim)) V per head.",
    options = {
      { "num_heads", "(required)", "number of heads" },
      { "key_dim", "(required)", "size of each head's queries and keys" },
      { "value_dim", "key_dim", "size of each head's values" },
      { "dropout", "0", "" }, { "use_bias", "true", "" },
      { "output_shape", "query's features", "the last axis of the output" },
      { "name", "\"multi_head_attention\"", "the layer's name" },
    },
    shapes = "query (batch, Tq, dim) -> (batch, Tq, dim); last_attention() (batch, heads, Tq, Tv)",
    keras = "keras.layers.MultiHeadAttention(num_heads=2, key_dim=16)",
    example = "mha = nn.MultiHeadAttention{num_heads=2, key_dim=8}\nx = tensor.randn(2, 5, 16)\nmha(x, x).shape",
  },
  {
    name = "nn.AttentionPooling", section = "Attention",
    signature = "nn.AttentionPooling{options}",
    computes = "Attention pooling over time: u = x w, a = softmax(u) over time (masked steps "
      .. "excluded), output = sum_t a_t x_t.",
    options = {
      { "kernel_initializer", "\"glorot_uniform\"", "" },
      { "name", "\"attention_pooling\"", "the layer's name" },
    },
    shapes = "(batch, time, features) -> (batch, features); last_attention() (batch, 1, time)",
    keras = "a custom layer in the tutorials (there called ProbAttention)",
    example = "p = nn.AttentionPooling()\np(tensor.randn(2, 10, 8)).shape",
  },
  {
    name = "nn.SelfAttention", section = "Attention",
    signature = "nn.SelfAttention(d_out, {options})",
    computes = "Q = x K0, K = x K1, V = x K2; output = softmax(Q K^T / scale) V.",
    options = {
      { "scale", "sqrt(d_out)", "the divisor of the scores" },
      { "kernel_initializer", "\"glorot_uniform\"", "" },
      { "name", "\"self_attention\"", "the layer's name" },
    },
    shapes = "(batch, time, d_in) -> (batch, time, d_out)",
    keras = "a custom layer in the tutorials",
    example = "s = nn.SelfAttention(16)\ns(tensor.randn(2, 6, 8)).shape",
  },
  {
    name = "nn.TimeAttention", section = "Attention",
    signature = "nn.TimeAttention(T, {options})",
    computes = "Time-step attention of the BiGRU tutorial: on h transposed to (batch, C, T), "
      .. "a = softmax(tanh(h W1 + b1) W2) over time, output = sum_t a_t h_t.",
    options = {
      { "kernel_initializer", "\"glorot_uniform\"", "" },
      { "bias_initializer", "\"zeros\"", "" },
      { "name", "\"time_attention\"", "the layer's name" },
    },
    shapes = "(batch, T, C) -> (batch, C); last_attention() (batch, C, T)",
    keras = "Permute((2, 1)) + Dense(T, 'tanh') + Dense(T, 'softmax') + multiply + sum",
    example = "ta = nn.TimeAttention(10)\nta(tensor.randn(2, 10, 4)).shape",
  },

  -- ---- models and training ------------------------------------------------
  {
    name = "nn.Input", section = "Models and training",
    signature = "nn.Input{d1, d2, ...}  or  nn.Input{shape={...}, name=}",
    computes = "A symbolic tensor: calling layers on it records the graph for nn.Model.",
    shapes = "nn.Input{64, 32} is (None, 64, 32): None is the batch",
    keras = "keras.Input(shape=(64, 32))",
    example = "x = nn.Input{64, 32}\nx",
  },
  {
    name = "nn.Model", section = "Models and training",
    signature = "nn.Model(inputs, outputs, {name=})",
    computes = "Keras's functional model over the layers called between inputs and outputs.",
    options = { { "name", "\"functional\"", "the model's name" } },
    shapes = "model(x) runs the graph on a real tensor",
    keras = "keras.Model(inputs, outputs)",
    example = "x = nn.Input{10, 4}\nh = nn.GRU(8)(x)\ny = nn.Dense(1, {activation='sigmoid'})(h)\nmodel = nn.Model(x, y)\nmodel:summary()",
  },
  {
    name = "nn.Sequential", section = "Models and training",
    signature = "nn.Sequential{layers...}  or  nn.Sequential({layers...}, {name=})",
    computes = "A stack of layers, each fed the previous one's output.",
    options = { { "name", "\"sequential\"", "the model's name" } },
    shapes = "starting with nn.Input{...}, every layer's shape is known as it is added",
    keras = "keras.Sequential([...])",
    example = "m = nn.Sequential{nn.Input{10, 4}, nn.GRU(8), nn.Dense(1)}\nm:summary()",
  },
  {
    name = "Model:summary", needs = "a model, x, y or att from an earlier example", section = "Models and training",
    signature = "model:summary()",
    computes = "Prints (and returns) Keras 3's table of layers, output shapes and parameter counts.",
    keras = "model.summary()",
    example = "model:summary()",
  },
  {
    name = "Model:compile", needs = "a model, x, y or att from an earlier example", section = "Models and training",
    signature = "model:compile{optimizer=, loss=, metrics=}",
    computes = "Chooses the optimizer, the loss and the metrics that fit reports.",
    options = {
      { "optimizer", "\"rmsprop\"", "\"adam\", \"sgd\", \"rmsprop\", ... or an nn.optimizers object" },
      { "loss", "(required)", "\"binary_crossentropy\", \"sparse_categorical_crossentropy\", \"mse\", ..." },
      { "metrics", "{}", "{\"accuracy\"}" },
    },
    keras = "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])",
    example = "model:compile{optimizer='adam', loss='binary_crossentropy', metrics={'accuracy'}}",
  },
  {
    name = "Model:fit", needs = "a model, x, y or att from an earlier example", section = "Models and training",
    signature = "model:fit(x, y, {options}) -> history",
    computes = "Trains with mini-batches; Ctrl-C stops after the current batch. "
      .. "history.history.loss[epoch] (and metrics, val_*) record the curves.",
    options = {
      { "epochs", "1", "passes over the data" },
      { "batch_size", "32", "" },
      { "validation_split", "0", "fraction of the data held out" },
      { "validation_data", "nil", "{x_val, y_val}" },
      { "shuffle", "true", "" },
      { "verbose", "\"auto\"", "0 silent, 1 progress bar, 2 one line per epoch" },
      { "callbacks", "{}", "functions(epoch, logs) or tables with on_epoch_end" },
    },
    shapes = "x (samples, ...) and y (samples, ...) with the same first axis",
    keras = "model.fit(x, y, epochs=10, batch_size=32, validation_split=0.2)",
    example = "h = model:fit(x, y, {epochs=5, batch_size=32})\nviz.plot(h)",
  },
  {
    name = "Model:predict", needs = "a model, x, y or att from an earlier example", section = "Models and training",
    signature = "model:predict(x, {batch_size=32})",
    computes = "Runs the model on x in batches, in inference mode.",
    keras = "model.predict(x)",
    example = "p = model:predict(x)",
  },

  -- ---- visualisation -------------------------------------------------------
  {
    name = "viz.heatmap", needs = "a model, x, y or att from an earlier example", section = "Visualisation",
    signature = "viz.heatmap(m, {options}) -> path | nil, message",
    computes = "Draws a matrix (a 2-D tensor or table, or one sample of a batch) as a heatmap file.",
    options = {
      { "file", "\"heatmap.png\"", ".png, .svg or .pdf" },
      { "title", "nil", "" }, { "xlabel", "nil", "" }, { "ylabel", "nil", "" },
      { "xlabels", "nil", "tick labels (e.g. the words)" }, { "ylabels", "nil", "" },
      { "cmap", "\"viridis\"", "matplotlib's colormaps" },
      { "vmin", "min", "" }, { "vmax", "max", "" },
      { "annotate", "false", "write the values in the cells" },
      { "sample", "1", "which sample of a 3-D batch" },
    },
    shapes = "(rows, cols), or (batch, rows, cols) with sample=",
    keras = "matplotlib: plt.imshow(weights); plt.colorbar()",
    example = "viz.heatmap(att:last_attention(), {file='att.png', title='attention'})",
  },
  {
    name = "viz.show", section = "Visualisation",
    signature = "viz.show(m, {options})",
    computes = "Prints a matrix in the terminal with coloured half blocks, labels and a colour scale.",
    options = {
      { "title", "nil", "" }, { "cmap", "\"viridis\"", "" },
      { "xlabels", "nil", "" }, { "ylabels", "nil", "" },
      { "mode", "auto", "\"truecolor\", \"256\" or \"ascii\"" },
      { "width", "COLUMNS or 80", "" },
      { "to_string", "false", "return the text instead of printing it" },
    },
    shapes = "(rows, cols), or (batch, rows, cols) with sample=",
    keras = "a quick look instead of plt.imshow",
    example = "viz.show(tensor.softmax(tensor.randn(6, 8)))",
  },
}

-- name -> entry
docs.index = {}
for _, e in ipairs(docs.entries) do docs.index[e.name] = e end

-- The text of one entry, as help() prints it and reference.md holds it
-- (markdown = true gives headings and code blocks).
function docs.render(e, markdown)
  local out = {}
  local function add(s) out[#out + 1] = s end
  if markdown then
    add("### `" .. e.name .. "`")
    add("")
    add("`" .. e.signature .. "`")
    add("")
    add(e.computes)
  else
    add(e.signature)
    add("  " .. e.computes)
  end
  if e.options and #e.options > 0 then
    add("")
    if markdown then
      add("| option | default | meaning |")
      add("|---|---|---|")
      for _, o in ipairs(e.options) do
        add(string.format("| `%s` | %s | %s |", o[1], o[2], o[3]))
      end
    else
      add("Options:")
      for _, o in ipairs(e.options) do
        local line = string.format("  %-22s = %s", o[1], o[2])
        if o[3] ~= "" then line = string.format("%-50s %s", line, o[3]) end
        add(line)
      end
    end
  end
  if e.shapes then add(""); add((markdown and "**Shapes:** " or "Shapes: ") .. e.shapes) end
  if e.keras then
    if markdown then add(""); add("**Keras:** `" .. e.keras .. "`") else add("Keras:  " .. e.keras) end
  end
  if e.example then
    add("")
    if markdown then
      add("```lua")
      add(e.example)
      add("```")
    else
      add("Example:")
      for l in (e.example .. "\n"):gmatch("(.-)\n") do add("  " .. l) end
    end
  end
  return table.concat(out, "\n")
end

return docs
