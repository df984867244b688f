-- Lesson 8: self-attention with queries, keys and values, by hand and with
-- nn.SelfAttention, and what the 1/sqrt(d) scale does to the softmax.
local lesson = require "attnlab.lesson"

-- the mean entropy of the rows of w, in the check (independent of the
-- learner's `entropy`)
local function row_entropy(w)
  local e = -(w * tensor.log(w + 1e-9)):sum(-1)
  return e:mean():item()
end

return lesson.define {
  title = "Self-attention: Q, K, V and the sqrt(d) scale",
  title_zh = "自注意力：Q、K、V 与 sqrt(d) 缩放",
  intro = "In self-attention every time step of one sequence asks (query), offers\n"
       .. "(key) and gives (value). We compute softmax(Q K^T / sqrt(d)) V by hand,\n"
       .. "check nn.SelfAttention against it, then see why the scores are divided\n"
       .. "by sqrt(d).",
  intro_zh = "在自注意力里，同一个序列的每个时间步都有三个角色：提出问题（查询），\n"
          .. "供别的查询来匹配（键），提供要传递的内容（值）。我们先手算\n"
          .. "softmax(Q K^T / sqrt(d)) V，再用 nn.SelfAttention 验证，最后看看为什么要\n"
          .. "把注意力分数除以 sqrt(d)。",
  steps = {
    {
      text = "One sequence of 4 time steps with 6 features each. Self-attention\n"
          .. "uses this same x for the queries, the keys and the values.",
      text_zh = "一个序列，4 个时间步，每步 6 个特征。自注意力的查询、键和值都来自这同一个 x。",
      code = "nn.clear_session()\nnn.seed(8)\nx = tensor.randn(1, 4, 6)\nx.shape",
      notice = "(1, 4, 6): batch 1, 4 time steps, 6 features.",
      notice_zh = "(1, 4, 6)：批量 1，4 个时间步，6 个特征。",
      check = function()
        lesson.shape(x, "(1, 4, 6)")
      end,
    },
    {
      text = "Three matrices project x to queries, keys and values. We take them from an\n"
          .. "nn.SelfAttention(3) layer, to compare with it later. It is not a Keras layer:\n"
          .. "it is the custom layer the Keras tutorials write themselves (Keras's own is\n"
          .. "MultiHeadAttention, lesson 9). sa(x); makes its weights at the first call:\n"
          .. "one kernel (3, d_in, d_out) that holds Wq, Wk and Wv, in that order.",
      text_zh = "三个矩阵把 x 投影成查询、键和值。我们直接从 nn.SelfAttention(3) 层里\n"
             .. "取出它们，方便后面对比。它不是 Keras 自带的层，而是 Keras 教程自己写的\n"
             .. "自定义层（Keras 自带的是第 9 课的 MultiHeadAttention）。sa(x); 在第一次\n"
             .. "调用时创建权重：唯一的 kernel 形状是 (3, d_in, d_out)，依次存放 Wq、Wk、Wv。",
      code = "sa = nn.SelfAttention(3)\n"
          .. "sa(x);\n"
          .. "kernel = sa:get_weights()[1]\n"
          .. "kernel.shape\n"
          .. "Wq, Wk, Wv = kernel[0], kernel[1], kernel[2]\n"
          .. "Wq.shape",
      notice = "kernel (3, 6, 3): 3 matrices of (d_in, d_out) = (6, 3); Wq = kernel[0] is\n"
            .. "(6, 3).",
      notice_zh = "kernel 是 (3, 6, 3)：3 个 (d_in, d_out) = (6, 3) 的矩阵；\n"
               .. "Wq = kernel[0] 是 (6, 3)。",
      check = function()
        lesson.shape(kernel, "(3, 6, 3)")
        lesson.shape(Wq, "(6, 3)")
        lesson.shape(Wk, "(6, 3)")
        lesson.shape(Wv, "(6, 3)")
        lesson.close(Wq, tensor.select(sa.kernel, 0, 0), 0, "Wq")
        lesson.close(Wv, tensor.select(sa.kernel, 0, 2), 0, "Wv")
      end,
    },
    {
      text = "Q = x Wq, K = x Wk, V = x Wv: every time step gets a query, a key and a\n"
          .. "value of d = 3 numbers.",
      text_zh = "Q = x Wq，K = x Wk，V = x Wv：每个时间步得到一个查询、一个键和一个值，\n"
             .. "各 d = 3 个数。",
      code = "Q = x:matmul(Wq)\nK = x:matmul(Wk)\nV = x:matmul(Wv)\nQ.shape",
      notice = "Q, K and V are all (1, 4, 3): 4 time steps, d = 3.",
      notice_zh = "Q、K、V 的形状都是 (1, 4, 3)：4 个时间步，d = 3。",
      check = function()
        for _, t in ipairs { Q, K, V } do lesson.shape(t, "(1, 4, 3)") end
        -- row 0 of Q is x[0][0] times Wq, element by element
        local xr, w = x:totable()[1][1], Wq:totable()
        for j = 1, 3 do
          local s = 0
          for i = 1, 6 do s = s + xr[i] * w[i][j] end
          lesson.close(Q:get(0, 0, j - 1), s, 1e-5, "Q[0, 0]")
        end
      end,
    },
    {
      text = "The scores: every query against every key, Q K^T, divided by sqrt(d).",
      text_zh = "注意力分数：每个查询和每个键做点积，即 Q K^T，再除以 sqrt(d)。",
      code = "d = 3\nscores = Q:matmul(K, {transpose_b = true}) / math.sqrt(d)\nscores",
      notice = "(1, 4, 4): row i holds the scores of query i against the 4 keys.",
      notice_zh = "(1, 4, 4)：第 i 行是第 i 个查询对 4 个键的分数。",
      check = function()
        lesson.shape(scores, "(1, 4, 4)")
        local q, k = Q:totable()[1], K:totable()[1]
        for i = 1, 4 do
          for j = 1, 4 do
            local s = 0
            for c = 1, 3 do s = s + q[i][c] * k[j][c] end
            lesson.close(scores:get(0, i - 1, j - 1), s / math.sqrt(3), 1e-5, "scores")
          end
        end
      end,
    },
    {
      text = "Softmax over the keys (axis -1) turns each row into attention weights.",
      text_zh = "在键的方向（第 -1 轴）上做 softmax，每一行就变成注意力权重。",
      code = "weights = tensor.softmax(scores, -1)\nweights\nweights:sum(-1)",
      notice = "Every row of weights sums to 1: (1, 4) of ones.",
      notice_zh = "weights 的每一行加起来都是 1：形状 (1, 4)，全是 1。",
      check = function()
        lesson.shape(weights, "(1, 4, 4)")
        lesson.close(weights:sum(-1), tensor.ones(1, 4), 1e-6, "row sums")
        local e = tensor.exp(scores)
        lesson.close(weights, e / e:sum(-1, { keepdims = true }), 1e-6, "softmax")
      end,
    },
    {
      text = "The output of each time step is its weighted sum of the values.",
      text_zh = "每个时间步的输出，是用它那一行权重对值做的加权和。",
      code = "out = weights:matmul(V)\nout",
      notice = "out is (1, 4, 3): one new vector of d = 3 numbers per time step.",
      notice_zh = "out 是 (1, 4, 3)：每个时间步一个新的向量，d = 3 个数。",
      check = function()
        lesson.shape(out, "(1, 4, 3)")
        local w, v = weights:totable()[1], V:totable()[1]
        for c = 1, 3 do
          local s = 0
          for j = 1, 4 do s = s + w[1][j] * v[j][c] end
          lesson.close(out:get(0, 0, c - 1), s, 1e-5, "out[0, 0]")
        end
      end,
    },
    {
      text = "nn.SelfAttention computes the same: softmax(Q K^T / scale) V, with\n"
          .. "scale = sqrt(d_out) unless you give scale=.",
      text_zh = "nn.SelfAttention 算的是同一个式子：softmax(Q K^T / scale) V；\n"
             .. "不指定 scale= 时，scale = sqrt(d_out)。",
      code = "y = sa(x)\ny\nsa.scale\ndiff = (y - out):abs():max():item()\ndiff\n(sa:last_attention() - weights):abs():max():item()",
      notice = "y equals out (the largest difference is below 1e-6), and\n"
            .. "sa:last_attention() equals weights; sa.scale is sqrt(3) = 1.732.",
      notice_zh = "y 与 out 相同（最大差值小于 1e-6），sa:last_attention() 与 weights 相同；\n"
               .. "sa.scale 是 sqrt(3) = 1.732。",
      check = function()
        lesson.close(y, out, 1e-6, "y vs out")
        lesson.close(sa:last_attention(), weights, 1e-6, "last_attention vs weights")
        lesson.close(sa.scale, math.sqrt(3), 1e-12, "scale")
        lesson.expect(diff < 1e-6, "the printed difference is below 1e-6")
        lesson.close(diff, lesson.maxdiff(y, out), 1e-7, "diff")
      end,
    },
    {
      text = "Why sqrt(d)? Take queries and keys of d = 512 numbers with mean 0 and\n"
          .. "variance 1. A dot product adds up 512 such products, so the scores\n"
          .. "have variance about d = 512 (standard deviation about 22).",
      text_zh = "为什么是 sqrt(d)？取 d = 512 维、均值 0、方差 1 的查询和键。点积是 512 个\n"
             .. "乘积之和，所以注意力分数的方差约为 d = 512（标准差约 22）。",
      code = "d = 512\n"
          .. "q = tensor.randn(1, 16, d)\nk = tensor.randn(1, 16, d)\n"
          .. "raw = q:matmul(k, {transpose_b = true})\n"
          .. "variance = (raw * raw):mean():item() - raw:mean():item() ^ 2\n"
          .. "variance\n"
          .. "scaled = raw / math.sqrt(d)\n"
          .. "(scaled * scaled):mean():item() - scaled:mean():item() ^ 2",
      notice = "The variance of raw is near 512 (between 350 and 700 for these\n"
            .. "16 x 16 = 256 scores); after dividing by sqrt(d) it is near 1.",
      notice_zh = "raw 的方差接近 512（这 16 x 16 = 256 个分数的方差在 350 到 700 之间）；\n"
               .. "除以 sqrt(d) 之后接近 1。",
      check = function()
        lesson.shape(raw, "(1, 16, 16)")
        local function var(t) return (t * t):mean():item() - t:mean():item() ^ 2 end
        local v = var(raw)
        lesson.close(variance, v, 1e-3, "variance")
        lesson.expect(v > 350 and v < 700, string.format("variance %.1f is near 512", v))
        local vs = var(raw / math.sqrt(512))
        lesson.expect(vs > 350 / 512 and vs < 700 / 512,
                      string.format("scaled variance %.3f is near 1", vs))
      end,
    },
    {
      text = "Softmax of such large scores saturates: one key takes almost all the\n"
          .. "weight. The entropy of a row, -sum(w log w), measures how spread it is:\n"
          .. "0 when one key has everything, log(16) = 2.77 when all 16 are equal.",
      text_zh = "这么大的分数进入 softmax 会饱和：几乎全部权重都落在一个键上。一行权重的熵\n"
             .. "-sum(w log w) 衡量它有多分散：全部权重在一个键上时为 0，16 个键平分时为\n"
             .. "log(16) = 2.77。",
      code = "function entropy(w) return (-(w * tensor.log(w + 1e-9)):sum(-1)):mean():item() end\n"
          .. "w_raw = tensor.softmax(raw, -1)\nw_scaled = tensor.softmax(scaled, -1)\n"
          .. "w_raw:max(-1):mean():item()\nw_scaled:max(-1):mean():item()\n"
          .. "entropy(w_raw)\nentropy(w_scaled)\nmath.log(16)",
      notice = "Without the scale the largest weight of a row is above 0.8 on average and\n"
            .. "the entropy below 0.5; with it the largest weight is below 0.5 and the\n"
            .. "entropy above 2, near the log(16) = 2.77 of uniform weights.",
      notice_zh = "不缩放时，每行最大的权重平均超过 0.8，熵低于 0.5；缩放后，最大权重低于 0.5，\n"
               .. "熵高于 2，接近均匀权重的 log(16) = 2.77。",
      check = function()
        local wr, ws = tensor.softmax(raw, -1), tensor.softmax(raw / math.sqrt(512), -1)
        local mr, ms = wr:max(-1):mean():item(), ws:max(-1):mean():item()
        local er, es = row_entropy(wr), row_entropy(ws)
        lesson.close(entropy(w_raw), er, 1e-5, "entropy(w_raw)")
        lesson.close(entropy(w_scaled), es, 1e-5, "entropy(w_scaled)")
        lesson.expect(mr > 0.8, string.format("unscaled max weight %.3f > 0.8", mr))
        lesson.expect(er < 0.5, string.format("unscaled entropy %.3f < 0.5", er))
        lesson.expect(ms < 0.5, string.format("scaled max weight %.3f < 0.5", ms))
        lesson.expect(es > 2 and es <= math.log(16) + 1e-6,
                      string.format("scaled entropy %.3f in (2, log 16]", es))
      end,
    },
    {
      text = "The same for d = 4, 64 and 512: without the scale the softmax gets sharper\n"
          .. "as d grows; with it, it stays about the same.",
      text_zh = "对 d = 4、64、512 做同样的比较：不缩放时，d 越大 softmax 越尖锐；\n"
             .. "缩放后几乎不变。",
      code = "results = {}\n"
          .. "for _, n in ipairs {4, 64, 512} do\n"
          .. "  local a, b = tensor.randn(1, 16, n), tensor.randn(1, 16, n)\n"
          .. "  local s = a:matmul(b, {transpose_b = true})\n"
          .. "  local e1, e2 = entropy(tensor.softmax(s, -1)), entropy(tensor.softmax(s / math.sqrt(n), -1))\n"
          .. "  results[n] = {scores = s, without = e1, with = e2}\n"
          .. "  print(string.format(\"d = %3d   entropy without scale %.2f   with scale %.2f\", n, e1, e2))\n"
          .. "end",
      notice = "The entropy without the scale falls as d grows (below 0.5 at d = 512);\n"
            .. "with the scale it stays above 2 for every d.",
      notice_zh = "不缩放时，熵随 d 增大而下降（d = 512 时低于 0.5）；缩放后，每个 d 的熵\n"
               .. "都高于 2。",
      check = function()
        local r = {}
        for i, n in ipairs { 4, 64, 512 } do
          local s = results[n].scores
          lesson.shape(s, "(1, 16, 16)")
          r[i] = { row_entropy(tensor.softmax(s, -1)),
                   row_entropy(tensor.softmax(s / math.sqrt(n), -1)) }
          lesson.close(results[n].without, r[i][1], 1e-5, "entropy without scale")
          lesson.close(results[n].with, r[i][2], 1e-5, "entropy with scale")
        end
        lesson.expect(r[1][1] > r[2][1] and r[2][1] > r[3][1],
                      string.format("unscaled entropies fall: %.2f %.2f %.2f", r[1][1], r[2][1], r[3][1]))
        lesson.expect(r[3][1] < 0.5, string.format("unscaled entropy at 512 %.2f < 0.5", r[3][1]))
        for i = 1, 3 do
          lesson.expect(r[i][2] > 2, string.format("scaled entropy %.2f > 2", r[i][2]))
        end
      end,
    },
  },
}
