-- attnlab.docs_viz_data: the docstrings of the viz module (heatmaps,
-- attention maps, grids, training curves, terminal previews) and of the
-- data module (toy tasks, Keras's text helpers). The entry format is
-- described in lua/attnlab/docs.lua.

local function o(name, default, en, zh) return { name, default, en, zh } end

local V = "Visualisation"
local D = "Data"

-- the options of one heatmap panel (viz.heatmap, viz.grid's entries, viz.attention)
local panel = {
  o("title", "nil", "the title over the heatmap", "热力图上方的标题"),
  o("xlabel", "nil", "the label of the column axis", "列方向坐标轴的标签"),
  o("ylabel", "nil", "the label of the row axis", "行方向坐标轴的标签"),
  o("xlabels", "nil", "one tick label per column (e.g. the words)", "每一列一个刻度标签（比如词）"),
  o("ylabels", "nil", "one tick label per row", "每一行一个刻度标签"),
  o("cmap", "\"viridis\"", "the colormap (viz.colormaps; add _r to reverse one)", "色图（见 viz.colormaps；名字后加 _r 表示反转）"),
  o("vmin", "nil", "the value of the lowest colour (nil: the smallest value)", "最低颜色对应的值（nil 表示取最小值）"),
  o("vmax", "nil", "the value of the highest colour (nil: the largest value)", "最高颜色对应的值（nil 表示取最大值）"),
  o("colorbar", "true", "draw the colorbar", "画颜色条"),
  o("colorbar_label", "nil", "the label beside the colorbar", "颜色条旁边的标签"),
  o("annotate", "false", "write the values in the cells", "在格子里写上数值"),
  o("fmt", "\".2f\"", "the format of annotate's numbers: \".2f\", \".3g\", \".1e\", \"d\", \".0%\" (Python's or C's spelling)",
    "annotate 写数值时的格式：\".2f\"、\".3g\"、\".1e\"、\"d\"、\".0%\"（Python 或 C 的写法都可以）"),
  o("sample", "0", "which sample (0-based) of a 3-D (batch, rows, cols) or 4-D tensor", "三维 (batch, rows, cols) 或四维张量取第几个样本（从 0 开始）"),
  o("head", "0", "which head (0-based) of a 4-D (batch, heads, rows, cols) tensor", "四维 (batch, heads, rows, cols) 张量取第几个头（从 0 开始）"),
}

-- the options of the image as a whole
local function figure(default_file)
  return {
    o("file", default_file, "the file to write: .png, .svg or .pdf (written atomically)",
      "要写的文件：.png、.svg 或 .pdf（原子地写入）"),
    o("width", "nil", "the image width (px for PNG, pt for SVG/PDF; nil: from the cells)",
      "图像宽度（PNG 用像素，SVG/PDF 用点；nil 表示按格子自动决定）"),
    o("height", "nil", "the image height (nil: automatic)", "图像高度（nil 表示自动决定）"),
    o("scale", "1", "multiplies the automatic size (2 for slides)", "把自动决定的尺寸放大这么多倍（做幻灯片时用 2）"),
  }
end

local function join(...)
  local out = {}
  for _, list in ipairs { ... } do
    for _, x in ipairs(list) do out[#out + 1] = x end
  end
  return out
end

local data_seed = o("seed", "nil", "its own random stream (nil: two draws from the nn.seed stream)",
                    "用自己的随机数流（nil 表示从 nn.seed 的流里取两个数作种子）")
local data_n = o("n", "nil", "required: the number of samples", "必须给出：样本数")

return {
  -- ---- visualisation -----------------------------------------------------------
  {
    name = "viz.heatmap", section = V,
    needs = "att from the nn.Attention example", needs_zh = "nn.Attention 示例中的 att",
    signature = "viz.heatmap(m, {options}) -> path | nil, message",
    computes = "Draws a matrix (a 2-D tensor or table of rows, or one sample of a batch) as a heatmap "
      .. "image, seaborn-style: cells coloured by a colormap, labels thinned or turned when crowded "
      .. "(CJK labels stay upright, one character per line), a colorbar; a long title wraps or "
      .. "shrinks to fit, and no text leaves the image. In SVG and PDF the cells are one embedded "
      .. "image drawn without smoothing, so files stay small. NaN cells are hatched grey (with a "
      .. "warning). A file that cannot be written returns nil and a message.",
    computes_zh = "把一个矩阵（二维张量、行组成的表，或一个批量中的一个样本）画成热力图图像，样式和 seaborn 类似："
      .. "格子按色图着色，标签太密时会抽稀或旋转（中日韩文字的标签保持直立，每行一个字），旁边有颜色条；"
      .. "长标题会折行或缩小，文字都不会超出图片。在 SVG 和 PDF 里，所有格子是一张不做平滑的嵌入图片，"
      .. "所以文件很小。NaN 的格子画成灰色斜线（并给出警告）。文件写不了时返回 nil 和一条消息。",
    options = join(figure("\"heatmap.png\""), panel),
    shapes = "(rows, cols), or (batch, rows, cols) with sample=, or (batch, heads, rows, cols) with head=",
    shapes_zh = "(rows, cols)；或 (batch, rows, cols) 加 sample=；或 (batch, heads, rows, cols) 加 head=",
    keras = "matplotlib: plt.imshow(weights); plt.colorbar() / seaborn.heatmap",
    example = "viz.heatmap(att:last_attention(), {file='att.png', title='attention', annotate=true, fmt='.1f'})",
  },
  {
    name = "viz.last_info", section = V,
    needs = "the image the viz.heatmap example draws", needs_zh = "viz.heatmap 示例画出的图",
    signature = "viz.last_info",
    computes = "Where the last drawing put things: the image's width and height, the first cell's "
      .. "corner and size, the colorbar's box, the colour range vmin..vmax used and the number of "
      .. "non-finite cells (a list of these for viz.grid); texts lists every text drawn, each "
      .. "{text, x, y, w, h, angle, size, lines, stacked, cut} with its box on the image.",
    computes_zh = "最近一次作图的布局信息：图像的宽和高、第一个格子的位置和大小、颜色条的位置、"
      .. "实际使用的颜色范围 vmin 到 vmax，以及非有限值格子的个数（viz.grid 时是这样的一组表）；"
      .. "texts 列出画出的每段文字，每项是 {text, x, y, w, h, angle, size, lines, stacked, cut}，"
      .. "给出它在图片上的方框。",
    shapes = "numbers in image units",
    shapes_zh = "以图像单位计的数值",
    keras = "ax.get_position(), im.get_clim()",
    example = "viz.last_info.vmin\nviz.last_info.vmax",
  },

  {
    name = "viz.attention", section = V,
    needs = "att from the nn.Attention example", needs_zh = "nn.Attention 示例中的 att",
    signature = "viz.attention(layer_or_model, {options}) -> path | nil, message",
    computes = "The heatmap of one sample's attention weights, labelled: the layer's kept weights "
      .. "(layer:last_attention(), which after model:predict(x) holds every sample of x), or, with x=, "
      .. "the weights computed by running the model on sample `sample` of x alone (the layers' kept "
      .. "weights are left as they were). tokens name the positions (a list of words, or a vocabulary "
      .. "such as info.tokens with ids=; with x= the ids default to x). ids of another batch size than "
      .. "the kept weights are an error, not a mislabelled picture. Given a model, it finds the one "
      .. "attention layer, or the one named by layer=. Its own defaults: title \"attention of <layer> "
      .. "(sample S)\", the axis titles of the layer (layer:attention_axes(): \"key position\" and "
      .. "\"query position\" for Attention, \"time step\" and \"feature\" for recipe 1's softmax Dense "
      .. "over time_last, ...), colorbar_label \"weight\"; the scale runs from the smallest weight to the "
      .. "largest. Every column label is written when they fit (an automatic width grows up to 3000 for "
      .. "them); when they must be thinned, the highest-weight columns keep theirs. viz.last_info.data "
      .. "is the matrix drawn.",
    computes_zh = "把一个样本的注意力权重画成带标签的热力图：要么是层保留的权重（layer:last_attention()；"
      .. "model:predict(x) 之后它包含 x 的每个样本），要么给出 x= 时，单独在 x 的第 sample 个样本上运行模型"
      .. "算出的权重（各层保留的权重保持不变）。tokens 给出每个位置的名字（一组词，或者像 info.tokens "
      .. "这样的词表，再加 ids=；给出 x= 时 ids 默认就是 x）。ids 的批量大小和保留的权重不同时会报错，"
      .. "而不是画出一张标错了词的图。给出模型时，自动找到其中唯一的注意力层，或者用 layer= 指定层名。"
      .. "它有自己的默认值：title 为 \"attention of <layer> (sample S)\"；轴标题来自这个层"
      .. "（layer:attention_axes()：Attention 是 \"key position\" 和 \"query position\"，配方 1 里作用在 "
      .. "time_last 上的 softmax Dense 是 \"time step\" 和 \"feature\"，等等）；colorbar_label 为 "
      .. "\"weight\"；刻度从最小的权重到最大的权重。列标签放得下时全部写出（自动宽度为此最多加宽到 3000）；"
      .. "必须稀疏显示时，权重最大的那些列一定保留标签。viz.last_info.data 是画出的矩阵。",
    options = join({
      o("layer", "nil", "the name of the layer, when a model has several attention layers", "模型里有多个注意力层时，要画的那个层的名字"),
      o("x", "nil", "the model's input: draw sample `sample` of x, computed by running the model on it", "模型的输入：画 x 的第 sample 个样本，在这个样本上运行模型算出权重"),
      o("tokens", "nil", "a list of labels, or a vocabulary (id -> word) used with ids", "一组标签，或一个词表（id -> 词），与 ids 一起用"),
      o("ids", "nil", "the ids of the sequence (a (batch, time) tensor: its row sample; its batch must be the weights')", "序列的 id（一个 (batch, time) 张量时取第 sample 行；批量大小必须和权重的相同）"),
      o("show", "false", "also print it in the terminal (viz.show)", "同时在终端里打印出来（viz.show）"),
    }, figure("\"attention.png\""), panel),
    shapes = "(batch, Tq, Tk) -> one (Tq, Tk) image; its rows and columns are what layer:attention_axes() says",
    shapes_zh = "(batch, Tq, Tk) 画成一张 (Tq, Tk) 的图；行和列是什么由 layer:attention_axes() 说明",
    keras = "plt.imshow(scores[0]); plt.xticks(range(len(words)), words)",
    example = "viz.attention(att, {file='attention.png', sample=1})",
  },
  {
    name = "viz.grid", section = V,
    needs = "att from the nn.Attention example", needs_zh = "nn.Attention 示例中的 att",
    signature = "viz.grid{m1, {m2, title=}, ..., file=, ncols=, shared=, ...} -> path | nil, message",
    computes = "Several heatmaps in one image. Each entry is a matrix or a table {matrix, title=, "
      .. "xlabels=, ...} with its own panel options; options outside the entries apply to all "
      .. "(title outside is the title of the whole image).",
    computes_zh = "把几张热力图画在同一张图像里。每一项是一个矩阵，或一个表 {matrix, title=, xlabels=, ...}，"
      .. "表里可以有它自己的选项；写在各项之外的选项对所有项都起作用（外面的 title 是整张图的标题）。",
    options = join({
      o("ncols", "nil", "panels per row (nil: automatic)", "每行放几张图（nil 表示自动决定）"),
      o("shared", "false", "one colour scale and colorbar for all panels", "所有图共用一个颜色范围和颜色条"),
    }, figure("\"grid.png\""), panel),
    shapes = "each entry as viz.heatmap's m",
    shapes_zh = "每一项和 viz.heatmap 的 m 一样",
    keras = "fig, axes = plt.subplots(1, n); axes[i].imshow(m_i)",
    example = "w = att:last_attention()\nviz.grid({w, {w, sample=1, title='sample 1'}}, {file='grid.png', shared=true})",
  },
  {
    name = "viz.animate", section = V,
    needs = "att from the nn.Attention example", needs_zh = "nn.Attention 示例中的 att",
    signature = "viz.animate{frames, file=, delay=, loop=, ...} -> path | nil, message",
    computes = "Heatmaps as the frames of one animated GIF, for slides: the attention map after "
      .. "every epoch of a training run, say. frames is a list; each frame is a matrix or a table "
      .. "{matrix, title=}. The frames share one colour scale (all their values, unless vmin and "
      .. "vmax are given), one size and the labels options; title outside the frames is the title "
      .. "of every frame that has none. viz.animate(frames, {options}) works too. Bad frames "
      .. "(another shape, not a matrix) are errors naming the frame; the file is written atomically.",
    computes_zh = "把几张热力图做成一个 GIF 动画的各帧，用在幻灯片里：比如训练时每一轮之后的注意力图。"
      .. "frames 是一个列表；每一帧是一个矩阵，或一个表 {matrix, title=}。各帧共用一个颜色范围"
      .. "（没有给出 vmin 和 vmax 时取所有帧的值）、同一个尺寸和同样的标签选项；写在各帧之外的 title "
      .. "是所有没有自己标题的帧的标题。也可以写成 viz.animate(frames, {options})。"
      .. "有问题的帧（形状不同、不是矩阵）会报错并指出是第几帧；文件原子地写入。",
    options = join({
      o("file", "\"animation.gif\"", "the GIF to write (written atomically)", "要写的 GIF 文件（原子地写入）"),
      o("delay", "0.5", "the seconds each frame shows (0.01 to 60)", "每一帧显示的秒数（0.01 到 60）"),
      o("loop", "0", "how many times it plays (0: for ever)", "播放几遍（0 表示一直循环播放）"),
    }, { table.unpack(figure("nil"), 2) }, panel),
    shapes = "each frame as viz.heatmap's m; every frame the same shape",
    shapes_zh = "每一帧和 viz.heatmap 的 m 一样；所有帧的形状相同",
    keras = "matplotlib.animation.FuncAnimation(fig, update, frames=n, interval=500).save('a.gif', writer='pillow')",
    example = "w = att:last_attention()\nviz.animate{{w, {w, title = 'again'}}, file = 'frames.gif', delay = 0.5}",
  },
  {
    name = "viz.plot", section = V,
    needs = "history from the Model:fit example", needs_zh = "Model:fit 示例中的 history",
    signature = "viz.plot(history, {options}) -> path | nil, message",
    computes = "Line plots of the training curves: loss first, each val_x dashed in x's colour, one "
      .. "point per epoch. history is what fit returns, its .history, a list of numbers, or a list "
      .. "of lists; the options may sit in the same table (viz.plot{s1, s2, labels={...}}).",
    computes_zh = "画训练曲线：先画损失，每个 val_x 用和 x 相同的颜色画虚线，每一轮一个点。"
      .. "history 可以是 fit 的返回值、它的 .history、一组数，或几组数；"
      .. "选项也可以写在同一个表里（viz.plot{s1, s2, labels={...}}）。",
    options = join(figure("\"history.png\""), {
      o("title", "nil", "the title", "标题"),
      o("xlabel", "\"epoch\"", "the x axis label", "横轴的标签"),
      o("ylabel", "nil", "the y axis label (nil: the metric's name, or \"value\")", "纵轴的标签（nil 表示用指标的名字，或 \"value\"）"),
      o("metrics", "nil", "plot only these names (and their val_ curves)", "只画这些名字的曲线（以及对应的 val_ 曲线）"),
      o("labels", "nil", "legend names for a list of series", "给几组数的图例名字"),
      o("x0", "1", "the x of the first value", "第一个值的横坐标"),
    }),
    shapes = "a series of n values -> n points at x0, x0 + 1, ...",
    shapes_zh = "n 个值的一组数画成横坐标为 x0、x0 + 1……的 n 个点",
    keras = "plt.plot(history.history['loss'])",
    example = "viz.plot(history, {file='history.png', title='training'})",
  },
  {
    name = "viz.show", section = V,
    signature = "viz.show(m, {options}) [-> text]",
    computes = "Prints a matrix in the terminal: coloured half blocks (two rows a line) in 24-bit "
      .. "colour, 256 colours when the terminal says so, or ASCII shading under NO_COLOR or in a pipe; "
      .. "row and column labels and a colour scale. Wide matrices are averaged down to the width.",
    computes_zh = "在终端里打印一个矩阵：用彩色半格字符（一行字符显示两行数据），24 位真彩色，"
      .. "终端只支持 256 色时用 256 色，设置了 NO_COLOR 或输出到管道时用 ASCII 字符的深浅表示；"
      .. "带行、列标签和颜色刻度。太宽的矩阵会按宽度取平均缩小。",
    options = {
      o("title", "nil", "a line above the matrix", "矩阵上方的一行标题"),
      o("xlabels", "nil", "one label per column", "每一列一个标签"),
      o("ylabels", "nil", "one label per row", "每一行一个标签"),
      o("cmap", "\"viridis\"", "the colormap", "色图"),
      o("vmin", "nil", "the value of the lowest colour (nil: the smallest value)", "最低颜色对应的值（nil 表示取最小值）"),
      o("vmax", "nil", "the value of the highest colour (nil: the largest value)", "最高颜色对应的值（nil 表示取最大值）"),
      o("sample", "0", "which sample of a 3-D or 4-D tensor", "三维或四维张量取第几个样本"),
      o("head", "0", "which head of a 4-D tensor", "四维张量取第几个头"),
      o("mode", "nil", "\"truecolor\", \"256\" or \"ascii\" (nil: from the terminal)", "\"truecolor\"、\"256\" 或 \"ascii\"（nil 表示按终端决定）"),
      o("width", "nil", "the terminal width (nil: $COLUMNS, else 80)", "终端宽度（nil 表示用 $COLUMNS，没有时用 80）"),
      o("max_rows", "60", "the most lines of the matrix before rows are averaged", "矩阵最多占多少行，超过就按行取平均"),
      o("to_string", "false", "return the text instead of printing it", "返回文本而不打印"),
    },
    shapes = "(rows, cols), or (batch, rows, cols) with sample=",
    shapes_zh = "(rows, cols)；或 (batch, rows, cols) 加 sample=",
    keras = "plt.imshow(m); plt.show()",
    example = "viz.show(tensor.softmax(tensor.randn(6, 8)), {mode='ascii'})",
  },
  {
    name = "viz.colormaps", section = V,
    signature = "viz.colormaps",
    computes = "The names of the colormaps, matplotlib's: viridis (the default), magma, inferno, plasma, "
      .. "cividis, blues, greys, and the diverging rdbu (centred on 0); add _r to reverse one.",
    computes_zh = "色图的名字，和 matplotlib 的相同：viridis（默认）、magma、inferno、plasma、cividis、blues、greys，"
      .. "以及以 0 为中心的发散色图 rdbu；名字后加 _r 表示反转。",
    shapes = "a list of strings",
    shapes_zh = "一组字符串",
    keras = "matplotlib.colormaps",
    example = "viz.colormaps",
  },
  -- ---- data --------------------------------------------------------------------
  {
    name = "data.needle", section = D,
    signature = "data.needle{n=, length=20, vocab=32, keys=4, seed=} -> x, y, info",
    computes = "Needle in a haystack: each sequence is noise words with exactly one key k0..k{keys-1} at "
      .. "a random real position, then padding (id 0). The label is which key it is. Ids: 0 <pad>, "
      .. "1..keys the keys, the rest noise words w{id}.",
    computes_zh = "大海捞针：每个序列由噪声词组成，在某个随机的真实位置上恰好有一个键 k0..k{keys-1}，"
      .. "后面是填充（id 0）。标签是这个键的序号。id 的含义：0 是 <pad>，1..keys 是键，其余是噪声词 w{id}。",
    options = {
      data_n,
      o("length", "20", "the sequence length (with padding)", "序列长度（含填充）"),
      o("vocab", "32", "the vocabulary size, ids 0..vocab-1", "词表大小，id 为 0..vocab-1"),
      o("keys", "4", "the number of keys, the classes", "键的个数，也就是类别数"),
      data_seed,
    },
    shapes = "x (n, length) ids; y (n,) the key's index (its id - 1); info.positions (n,), info.lengths (n,), "
      .. "info.tokens, info.num_classes = keys, info.vocab_size",
    shapes_zh = "x 是 (n, length) 的 id；y 是 (n,)，为键的序号（它的 id - 1）；info.positions (n,)、info.lengths (n,)、"
      .. "info.tokens、info.num_classes = keys、info.vocab_size",
    keras = "model.compile(loss='sparse_categorical_crossentropy')",
    example = "x, y, info = data.needle{n=4, length=8, seed=1}\nx\ny\ninfo.positions",
  },
  {
    name = "data.marker", section = D,
    signature = "data.marker{n=, length=20, vocab=12, seed=} -> x, y, info",
    computes = "The token after the marker: each sequence holds words and one marker <mark> (id vocab-1) "
      .. "at a random position but the last; the task is to name the word right after it. x holds token ids; "
      .. "y is not a token id but the class index of that word, id - 1 (0..vocab-3).",
    computes_zh = "标记之后的词元：每个序列由词和一个标记 <mark>（id 为 vocab-1）组成，标记在除最后一位外的随机位置上；"
      .. "任务是说出紧跟在标记后面的词。x 是词元的 id；y 不是词元 id，而是那个词的类别下标，即 id - 1（0..vocab-3）。",
    options = {
      data_n,
      o("length", "20", "the sequence length", "序列长度"),
      o("vocab", "12", "ids: 1..vocab-2 the words w{id}, vocab-1 the marker (0 <pad> is not used)",
        "id 的含义：1..vocab-2 是词 w{id}，vocab-1 是标记（0 <pad> 不会出现）"),
      data_seed,
    },
    shapes = "x (n, length) token ids; y (n,) class indices = the id after the marker - 1; info.positions (n,) "
      .. "the position of that word; info.tokens, info.num_classes = vocab - 2, info.vocab_size, info.marker = vocab - 1",
    shapes_zh = "x 是 (n, length) 的词元 id；y 是 (n,) 的类别下标，等于标记后面那个词的 id - 1；"
      .. "info.positions (n,) 是那个词的位置；info.tokens、info.num_classes = vocab - 2、info.vocab_size、info.marker = vocab - 1",
    keras = "model.compile(loss='sparse_categorical_crossentropy')",
    example = "x, y, info = data.marker{n=3, length=6, vocab=6, seed=1}\nx\ny\nx:get(0, info.positions:get(0)) - 1 == y:get(0)",
  },
  {
    name = "data.adding", section = D,
    signature = "data.adding{n=, length=50, seed=} -> x, y, info",
    computes = "The adding problem (Hochreiter & Schmidhuber 1997): column 0 holds uniform numbers, "
      .. "column 1 marks two of them with 1 (one in each half); the target is their sum.",
    computes_zh = "加法问题（Hochreiter 和 Schmidhuber，1997）：第 0 列是均匀分布的随机数，"
      .. "第 1 列用 1 标出其中两个（前后两半各一个）；目标是这两个数的和。",
    options = {
      data_n,
      o("length", "50", "the sequence length", "序列长度"),
      data_seed,
    },
    shapes = "x (n, length, 2); y (n, 1); info.positions (n, 2) the two marked positions",
    shapes_zh = "x 是 (n, length, 2)；y 是 (n, 1)；info.positions (n, 2) 是两个被标出的位置",
    keras = "model.compile(loss='mse')",
    example = "x, y, info = data.adding{n=2, length=6, seed=3}\nx.shape\ny\ninfo.positions",
  },
  {
    name = "data.sentiment", section = D,
    signature = "data.sentiment{n=, maxlen=10, seed=} -> x, y, info",
    computes = "Short reviews such as \"the movie was not bad at all\": label 1 positive, 0 negative; a "
      .. "negation (\"not\", \"never\") flips the sentiment word. x holds word ids post-padded with 0.",
    computes_zh = "像 \"the movie was not bad at all\" 这样的短评论：标签 1 表示正面，0 表示负面；"
      .. "否定词（\"not\"、\"never\"）会把情感词的意思反过来。x 是词的 id，末尾用 0 填充。",
    options = {
      data_n,
      o("maxlen", "10", "the sequence length; only sentences that fit are generated", "序列长度；只生成放得下的句子"),
      data_seed,
    },
    shapes = "x (n, maxlen); y (n,); info.sentences (strings), info.positions (n, 2) of the sentiment word "
      .. "and the negation (-1 if none), info.tokens, info.word_index, info.num_classes = 2, info.vocab_size",
    shapes_zh = "x 是 (n, maxlen)；y 是 (n,)；info.sentences 是句子字符串，info.positions (n, 2) 是情感词和否定词的位置"
      .. "（没有否定词时为 -1），还有 info.tokens、info.word_index、info.num_classes = 2、info.vocab_size",
    keras = "keras.datasets.imdb.load_data()",
    example = "x, y, info = data.sentiment{n=3, seed=2}\ninfo.sentences\ny",
  },
  {
    name = "data.Tokenizer", aliases = { "data.Tokenizer.new", "Tokenizer:new" }, section = D,
    signature = "data.Tokenizer{options}",
    computes = "Keras's Tokenizer: fit_on_texts builds word_index (1 for the most frequent word), "
      .. "texts_to_sequences turns texts into lists of indices, sequences_to_texts goes back. "
      .. "Fields: word_index, index_word, word_counts, word_docs, document_count.",
    computes_zh = "Keras 的 Tokenizer（分词器）：fit_on_texts 建立 word_index（出现最多的词是 1），"
      .. "texts_to_sequences 把文本变成下标列表，sequences_to_texts 再变回来。"
      .. "字段有 word_index、index_word、word_counts、word_docs、document_count。",
    options = {
      o("num_words", "nil", "keep only indices < num_words (the most frequent words)", "只保留小于 num_words 的下标（最常见的那些词）"),
      o("filters", "nil", "characters removed from the texts (nil: Keras's punctuation, tab and newline)",
        "从文本中去掉的字符（nil 表示 Keras 默认的标点、制表符和换行符）"),
      o("lower", "true", "lowercase the texts", "把文本变成小写"),
      o("split", "\" \"", "the word separator", "词之间的分隔符"),
      o("char_level", "false", "every character is a token", "每个字符都是一个词元"),
      o("oov_token", "nil", "the word for unknown words (index 1)", "代表未登录词的记号（下标为 1）"),
    },
    shapes = "no tensors: Lua tables of indices",
    shapes_zh = "不涉及张量：结果是下标组成的 Lua 表",
    keras = "keras.preprocessing.text.Tokenizer(num_words=None, oov_token=None)",
    example = "tok = data.Tokenizer{oov_token='<oov>'}\ntok:fit_on_texts{'the cat sat', 'the dog'}\ntok.word_index",
  },
  {
    name = "Tokenizer:fit_on_texts", section = D,
    needs = "tok from the data.Tokenizer example", needs_zh = "data.Tokenizer 示例中的 tok",
    signature = "tok:fit_on_texts({text1, text2, ...})",
    computes = "Counts the words of the texts and ranks them by count, most frequent first (ties in order "
      .. "of first appearance), from index 1; the oov_token, if any, is index 1.",
    computes_zh = "统计这些文本里的词，按出现次数排名，最多的排在最前（次数相同时按第一次出现的先后），下标从 1 开始；"
      .. "有 oov_token 时它的下标是 1。",
    shapes = "a table of strings",
    shapes_zh = "一个字符串组成的表",
    keras = "tokenizer.fit_on_texts(texts)",
    example = "tok:fit_on_texts{'a dog and a cat'}\ntok.word_counts.a",
  },
  {
    name = "Tokenizer:texts_to_sequences", section = D,
    needs = "tok from the data.Tokenizer example", needs_zh = "data.Tokenizer 示例中的 tok",
    signature = "tok:texts_to_sequences({text, ...}) -> {{i, j, ...}, ...}",
    computes = "Each text as a list of word indices; unknown words (and, with num_words, rare ones) become "
      .. "the oov_token's index, or are dropped without one.",
    computes_zh = "把每个文本变成词的下标列表；未登录词（有 num_words 时还包括不常见的词）变成 oov_token 的下标，"
      .. "没有 oov_token 时直接丢掉。",
    shapes = "Lua tables; data.pad_sequences makes them one tensor",
    shapes_zh = "结果是 Lua 表；用 data.pad_sequences 可以变成一个张量",
    keras = "tokenizer.texts_to_sequences(texts)",
    example = "seqs = tok:texts_to_sequences{'the cat flew'}\nseqs",
  },
  {
    name = "Tokenizer:sequences_to_texts", section = D,
    needs = "tok and seqs from the Tokenizer examples", needs_zh = "前面 Tokenizer 示例中的 tok 和 seqs",
    signature = "tok:sequences_to_texts(seqs) -> {text, ...}",
    computes = "Lists of indices (tables, or a 2-D tensor) back to texts; index 0 (padding) and unknown "
      .. "indices are dropped, or shown as the oov_token.",
    computes_zh = "把下标列表（表或二维张量）变回文本；下标 0（填充）和未知的下标会被丢掉，或者显示成 oov_token。",
    shapes = "a table of lists or a (n, time) tensor",
    shapes_zh = "列表组成的表，或一个 (n, time) 张量",
    keras = "tokenizer.sequences_to_texts(seqs)",
    example = "tok:sequences_to_texts(seqs)",
  },
  {
    name = "data.text_to_word_sequence", section = D,
    signature = "data.text_to_word_sequence(text, {filters=, lower=, split=}) -> {word, ...}",
    computes = "Splits a text into words as Keras does: lowercased, punctuation removed, split at spaces.",
    computes_zh = "和 Keras 一样把文本切成词：变成小写，去掉标点，按空格切开。",
    options = {
      o("filters", "nil", "characters removed (nil: Keras's punctuation, tab and newline)",
        "要去掉的字符（nil 表示 Keras 默认的标点、制表符和换行符）"),
      o("lower", "true", "lowercase the text", "把文本变成小写"),
      o("split", "\" \"", "the word separator", "词之间的分隔符"),
    },
    shapes = "a string -> a table of strings",
    shapes_zh = "一个字符串得到字符串组成的表",
    keras = "keras.preprocessing.text.text_to_word_sequence(text)",
    example = "data.text_to_word_sequence('Hello, World!')",
  },
  {
    name = "data.pad_sequences", section = D,
    signature = "data.pad_sequences(seqs, {options}) -> x",
    computes = "Lists of numbers of different lengths as one (n, maxlen) tensor, padded with value and "
      .. "cut to maxlen; \"pre\" pads (cuts) at the start, \"post\" at the end, as Keras.",
    computes_zh = "把长短不一的数字列表变成一个 (n, maxlen) 张量：不够长的用 value 填充，太长的截到 maxlen；"
      .. "和 Keras 一样，\"pre\" 在开头填充（截断），\"post\" 在末尾。",
    options = {
      o("maxlen", "nil", "the length (nil: the longest sequence)", "长度（nil 表示取最长序列的长度）"),
      o("padding", "\"pre\"", "\"pre\" or \"post\": where the padding goes", "\"pre\" 或 \"post\"：填充放在哪一头"),
      o("truncating", "\"pre\"", "\"pre\" or \"post\": which end is cut", "\"pre\" 或 \"post\"：从哪一头截断"),
      o("value", "0", "the padding value", "填充的值"),
      o("dtype", "nil", "accepted for Keras; the result is always float32", "为兼容 Keras 而接受；结果总是 float32"),
    },
    shapes = "{{1, 2, 3}, {4}} with maxlen=3 -> (2, 3)",
    shapes_zh = "{{1, 2, 3}, {4}} 用 maxlen=3 得 (2, 3)",
    keras = "keras.utils.pad_sequences(seqs, maxlen=3, padding='post')",
    example = "data.pad_sequences({{1, 2, 3}, {4}}, {maxlen=3, padding='post'})",
  },
  {
    name = "data.to_categorical", section = D,
    signature = "data.to_categorical(y [, num_classes])",
    computes = "One-hot encoding of integer labels (a tensor or a table); num_classes defaults to max(y) + 1; "
      .. "a trailing axis of size 1 is dropped first.",
    computes_zh = "把整数标签（张量或表）变成独热编码；num_classes 默认是 max(y) + 1；"
      .. "末尾大小为 1 的轴会先去掉。",
    shapes = "(n,) or (n, 1) -> (n, num_classes)",
    shapes_zh = "(n,) 或 (n, 1) 得 (n, num_classes)",
    keras = "keras.utils.to_categorical(y, num_classes)",
    example = "data.to_categorical({0, 2, 1})",
  },
}
