-- Lesson 9: Keras's attention layers (Attention, AdditiveAttention,
-- MultiHeadAttention), each checked against the formula it computes, and
-- how they relate to lesson 6 (dot attention) and lesson 8 (Q/K/V).
local lesson = require "attnlab.lesson"

local function softmax_rows(s)
  local e = tensor.exp(s - s:max(-1, { keepdims = true }))
  return e / e:sum(-1, { keepdims = true })
end

return lesson.define {
  title = "Keras's attention layers",
  title_zh = "Keras 的注意力层",
  intro = "Keras has three attention layers: Attention (Luong, dot product),\n"
       .. "AdditiveAttention (Bahdanau) and MultiHeadAttention. Each is a formula\n"
       .. "we already know; in this lesson we compute every one by hand and check\n"
       .. "that the layer gives the same numbers.",
  intro_zh = "Keras 有三个注意力层：Attention（Luong，点积）、AdditiveAttention\n"
          .. "（Bahdanau，加性）和 MultiHeadAttention（多头）。每个都是我们学过的公式；\n"
          .. "这一课把它们逐个手算一遍，确认层给出的数值和手算的一样。",
  steps = {
    {
      text = "Two queries and five values of 4 features. Keras's attention layers take\n"
          .. "a list {query, value}; without a third entry the keys are the values.",
      text_zh = "2 个查询和 5 个值，各 4 个特征。Keras 的注意力层接收列表 {query, value}；\n"
             .. "没有第三项时，键就是值本身。",
      code = "nn.clear_session()\nnn.seed(9)\nq = tensor.randn(1, 2, 4)\nv = tensor.randn(1, 5, 4)\nq.shape\nv.shape",
      notice = "q is (1, 2, 4): Tq = 2 queries; v is (1, 5, 4): Tk = 5 keys and values.",
      notice_zh = "q 是 (1, 2, 4)：Tq = 2 个查询；v 是 (1, 5, 4)：Tk = 5 个键和值。",
      check = function()
        lesson.shape(q, "(1, 2, 4)")
        lesson.shape(v, "(1, 5, 4)")
      end,
    },
    {
      text = "nn.Attention() is Keras's Attention(): dot-product (Luong) attention.\n"
          .. "It has no weights; it keeps its attention weights for us to look at.",
      text_zh = "nn.Attention() 就是 Keras 的 Attention()：点积（Luong）注意力。\n"
             .. "它没有可学习的权重，但会保存注意力权重供我们查看。",
      code = "att = nn.Attention()\nout = att{q, v}\nout.shape\natt:last_attention()\n#att:get_weights()",
      notice = "out is (1, 2, 4), one vector per query; the weights are (1, 2, 5),\n"
            .. "one row of 5 per query; the layer has 0 weights.",
      notice_zh = "out 是 (1, 2, 4)，每个查询一个向量；注意力权重是 (1, 2, 5)，每个查询\n"
               .. "一行 5 个数；这一层的权重个数是 0。",
      check = function()
        lesson.shape(out, "(1, 2, 4)")
        lesson.shape(att:last_attention(), "(1, 2, 5)")
        lesson.expect(#att:get_weights() == 0, "nn.Attention() has no weights")
      end,
    },
    {
      text = "By hand this is the dot attention of lesson 6: scores q k^T,\n"
          .. "softmax over the keys, then the weighted sum of the values.",
      text_zh = "手算一遍，就是第 6 课的点积注意力：分数 q k^T，在键的方向上做 softmax，\n"
             .. "再对值做加权和。",
      code = "w = tensor.softmax(q:matmul(v, {transpose_b = true}), -1)\nw\n"
          .. "(w - att:last_attention()):abs():max():item()\n"
          .. "(w:matmul(v) - out):abs():max():item()",
      notice = "w equals att:last_attention(), and w v equals out: both differences are\n"
            .. "below 1e-6.",
      notice_zh = "w 与 att:last_attention() 相同，w v 与 out 相同：两个差值都小于 1e-6。",
      check = function()
        local s = {}
        local qt, vt = q:totable()[1], v:totable()[1]
        for i = 1, 2 do
          s[i] = {}
          for j = 1, 5 do
            local d = 0
            for c = 1, 4 do d = d + qt[i][c] * vt[j][c] end
            s[i][j] = d
          end
        end
        local hand = softmax_rows(tensor.from { s })
        lesson.close(w, hand, 1e-6, "w vs softmax(q k^T)")
        lesson.close(att:last_attention(), hand, 1e-6, "last_attention")
        lesson.close(out, hand:matmul(v), 1e-6, "out")
      end,
    },
    {
      text = "use_scale=true adds one learned number, scale (it starts at 1), that\n"
          .. "multiplies the scores: softmax(scale * q k^T). Instead of lesson 8's fixed\n"
          .. "1/sqrt(d), the model learns how sharp the softmax should be.\n"
          .. "att_s{q, v}; is the first call: it makes the weight, which set_weights\n"
          .. "then changes.",
      text_zh = "use_scale=true 增加一个可学习的数 scale（初始为 1），乘在分数上：\n"
             .. "softmax(scale * q k^T)。它不像第 8 课那样固定除以 sqrt(d)，而是让模型\n"
             .. "自己学 softmax 应该多尖锐。第一次调用 att_s{q, v}; 时创建这个权重，\n"
             .. "之后才能用 set_weights 改它。",
      code = "att_s = nn.Attention{use_scale = true}\natt_s{q, v};\n"
          .. "scale_start = att_s:get_weights()[1]\nscale_start\n"
          .. "(att_s:last_attention() - w):abs():max():item()\n"
          .. "att_s:set_weights{tensor.from(0.5)}\natt_s{q, v};\n"
          .. "w_s = tensor.softmax(q:matmul(v, {transpose_b = true}) * 0.5, -1)\n"
          .. "(w_s - att_s:last_attention()):abs():max():item()",
      notice = "Its one weight is a scalar (shape ()) equal to 1, and with scale 1 the\n"
            .. "layer's weights are w of step 3 (the first difference is below 1e-6).\n"
            .. "With scale = 0.5 the layer's weights equal softmax(0.5 * q k^T): the\n"
            .. "last difference is below 1e-6 too.",
      notice_zh = "它唯一的权重是一个标量（形状 ()），初始为 1；scale 为 1 时，层的注意力\n"
               .. "权重就是第 3 步的 w（第一个差值小于 1e-6）。把 scale 设为 0.5 后，层的\n"
               .. "注意力权重等于 softmax(0.5 * q k^T)：最后一个差值也小于 1e-6。",
      check = function()
        local ws = att_s:get_weights()
        lesson.expect(#ws == 1, "one weight")
        lesson.shape(ws[1], "()")
        lesson.close(ws[1], 0.5, 0, "scale after set_weights")
        lesson.shape(scale_start, "()")
        lesson.close(scale_start, 1, 0, "scale starts at 1")
        local raw = q:matmul(v, { transpose_b = true })
        lesson.close(softmax_rows(raw * scale_start:item()), w, 1e-6, "scale 1 is plain dot attention")
        lesson.close(att_s:last_attention(), softmax_rows(raw * 0.5), 1e-6, "scale 0.5")
      end,
    },
    {
      text = "score_mode=\"concat\" scores each query-key pair with tanh instead of a dot\n"
          .. "product: concat_score_weight * sum(tanh(q + k)). Adding q (1, 2, 1, 4)\n"
          .. "to k (1, 1, 5, 4) broadcasts to every pair, (1, 2, 5, 4).",
      text_zh = "score_mode=\"concat\" 不用点积，而用 tanh 给每一对查询和键打分：\n"
             .. "concat_score_weight * sum(tanh(q + k))。把 q (1, 2, 1, 4) 加上\n"
             .. "k (1, 1, 5, 4)，广播后得到所有配对 (1, 2, 5, 4)。",
      code = "att_c = nn.Attention{score_mode = \"concat\"}\natt_c{q, v};\natt_c:get_weights()[1]\n"
          .. "pairs_qk = tensor.expand_dims(q, 2) + tensor.expand_dims(v, 1)\npairs_qk.shape\n"
          .. "s_c = tensor.tanh(pairs_qk):sum(-1)\n"
          .. "(tensor.softmax(s_c, -1) - att_c:last_attention()):abs():max():item()",
      notice = "pairs_qk is (1, 2, 5, 4); concat_score_weight is a scalar equal to 1; the\n"
            .. "softmax of sum(tanh(q + k)) equals the layer's weights (difference below\n"
            .. "1e-6).",
      notice_zh = "pairs_qk 是 (1, 2, 5, 4)；concat_score_weight 是一个标量，初始为 1；\n"
               .. "sum(tanh(q + k)) 的 softmax 与层的注意力权重相同（差值小于 1e-6）。",
      check = function()
        lesson.shape(pairs_qk, "(1, 2, 5, 4)")
        local ws = att_c:get_weights()
        lesson.expect(#ws == 1, "one weight")
        lesson.shape(ws[1], "()")
        lesson.close(ws[1], 1, 0, "concat_score_weight")
        -- element by element: query 1, key 3
        local qt, vt = q:totable()[1], v:totable()[1]
        local sum = 0
        for c = 1, 4 do sum = sum + math.tanh(qt[2][c] + vt[4][c]) end
        lesson.close(s_c:get(0, 1, 3), sum, 1e-5, "s_c[0, 1, 3]")
        lesson.close(att_c:last_attention(), softmax_rows(s_c), 1e-6, "concat weights")
      end,
    },
    {
      text = "nn.AdditiveAttention() is Bahdanau's additive attention: the same tanh of\n"
          .. "q + k, but each feature has its own learned scale, a vector of 4:\n"
          .. "scores = sum(scale * tanh(q + k)). With a scale of ones it is the concat mode.",
      text_zh = "nn.AdditiveAttention() 是 Bahdanau 的加性注意力：同样是 tanh(q + k)，\n"
             .. "但每个特征有自己可学习的 scale，是一个长度 4 的向量：\n"
             .. "scores = sum(scale * tanh(q + k))。scale 全为 1 时，它就是 concat 模式。",
      code = "add = nn.AdditiveAttention()\nadd{q, v};\nscale = add:get_weights()[1]\nscale\n"
          .. "s_a = (scale * tensor.tanh(pairs_qk)):sum(-1)\n"
          .. "(tensor.softmax(s_a, -1) - add:last_attention()):abs():max():item()",
      notice = "scale is (4,); softmax(sum(scale * tanh(q + k))) equals the layer's weights\n"
            .. "(difference below 1e-6).",
      notice_zh = "scale 的形状是 (4,)；softmax(sum(scale * tanh(q + k))) 与层的注意力权重\n"
               .. "相同（差值小于 1e-6）。",
      check = function()
        lesson.shape(scale, "(4,)")
        local sc = scale:totable()
        local qt, vt = q:totable()[1], v:totable()[1]
        local hand = {}
        for i = 1, 2 do
          hand[i] = {}
          for j = 1, 5 do
            local s = 0
            for c = 1, 4 do s = s + sc[c] * math.tanh(qt[i][c] + vt[j][c]) end
            hand[i][j] = s
          end
        end
        lesson.close(s_a, tensor.from { hand }, 1e-5, "s_a")
        lesson.close(add:last_attention(), softmax_rows(tensor.from { hand }), 1e-6, "additive weights")
        -- a scale of ones: the additive formula by hand (no new layer: a
        -- check must not draw random numbers) is the concat mode of step 5
        local ones = {}
        for i = 1, 2 do
          ones[i] = {}
          for j = 1, 5 do
            local s = 0
            for c = 1, 4 do s = s + 1 * math.tanh(qt[i][c] + vt[j][c]) end
            ones[i][j] = s
          end
        end
        lesson.close(softmax_rows(tensor.from { ones }), att_c:last_attention(), 1e-6, "ones = concat")
      end,
    },
    {
      text = "nn.MultiHeadAttention{num_heads=1, key_dim=3} is lesson 8's self-attention\n"
          .. "with Keras's weights. Called as mha(x, x), x is the query and the value.\n"
          .. "Its 8 weights: a kernel and a bias for each of query, key, value and output.",
      text_zh = "nn.MultiHeadAttention{num_heads=1, key_dim=3} 就是第 8 课的自注意力，\n"
             .. "只是权重按 Keras 的方式存放。调用 mha(x, x) 时，x 既是查询也是值。它有\n"
             .. "8 个权重：query、key、value 和 output 各有一个 kernel 和一个 bias。",
      code = "x = tensor.randn(1, 5, 4)\nmha = nn.MultiHeadAttention{num_heads = 1, key_dim = 3}\n"
          .. "y = mha(x, x)\ny.shape\n"
          .. "for i, t in ipairs(mha:get_weights()) do print(mha.weight_names[i], t.shape) end",
      notice = "y is (1, 5, 4), the query's shape. query/kernel is (4, 1, 3) =\n"
            .. "(features, heads, key_dim); attention_output/kernel is (1, 3, 4).",
      notice_zh = "y 是 (1, 5, 4)，和查询的形状一样。query/kernel 是 (4, 1, 3)，三个轴依次是\n"
               .. "特征、头、key_dim；attention_output/kernel 是 (1, 3, 4)。",
      check = function()
        lesson.shape(y, "(1, 5, 4)")
        local ws = mha:get_weights()
        lesson.expect(#ws == 8, "8 weights")
        local want = { "query/kernel", "(4, 1, 3)", "query/bias", "(1, 3)",
                       "key/kernel", "(4, 1, 3)", "key/bias", "(1, 3)",
                       "value/kernel", "(4, 1, 3)", "value/bias", "(1, 3)",
                       "attention_output/kernel", "(1, 3, 4)", "attention_output/bias", "(4,)" }
        for i = 1, 8 do
          lesson.expect(mha.weight_names[i] == want[2 * i - 1], "weight " .. i .. " is " .. want[2 * i - 1])
          lesson.shape(ws[i], want[2 * i])
        end
      end,
    },
    {
      text = "By hand with its weights: Q = x Wq + bq, K = x Wk + bk, V = x Wv + bv,\n"
          .. "weights = softmax(Q K^T / sqrt(key_dim)), then the output projection:\n"
          .. "(weights V) Wo + bo.",
      text_zh = "用它的权重手算：Q = x Wq + bq，K = x Wk + bk，V = x Wv + bv，\n"
             .. "weights = softmax(Q K^T / sqrt(key_dim))，最后做输出投影：\n"
             .. "(weights V) Wo + bo。",
      code = "ws = mha:get_weights()\n"
          .. "Wq, Wk, Wv = ws[1]:select(1, 0), ws[3]:select(1, 0), ws[5]:select(1, 0)\nWq.shape\n"
          .. "Q = x:matmul(Wq) + ws[2][0]\nK = x:matmul(Wk) + ws[4][0]\nV = x:matmul(Wv) + ws[6][0]\n"
          .. "weights = tensor.softmax(Q:matmul(K, {transpose_b = true}) / math.sqrt(3), -1)\n"
          .. "(weights - mha:last_attention()[0]):abs():max():item()\n"
          .. "y_hand = weights:matmul(V):matmul(ws[7][0]) + ws[8]\n"
          .. "(y_hand - y):abs():max():item()",
      notice = "Wq = query/kernel[:, 0, :] is (4, 3). The weights equal head 0 of\n"
            .. "mha:last_attention() and y_hand equals y: both differences are below 1e-5.",
      notice_zh = "Wq = query/kernel[:, 0, :] 是 (4, 3)。手算的 weights 与\n"
               .. "mha:last_attention() 的第 0 个头相同，y_hand 与 y 相同：两个差值都小于\n"
               .. "1e-5。",
      check = function()
        lesson.shape(Wq, "(4, 3)")
        lesson.shape(mha:last_attention(), "(1, 1, 5, 5)")
        lesson.close(weights, mha:last_attention()[0], 1e-6, "weights vs head 0")
        lesson.close(y_hand, y, 1e-5, "y_hand vs y")
        -- the scores of query 0 and key 1, element by element
        local qt, kt = Q:totable()[1], K:totable()[1]
        local s = 0
        for c = 1, 3 do s = s + qt[1][c] * kt[2][c] end
        local row = Q:matmul(K, { transpose_b = true }):get(0, 0, 1)
        lesson.close(row, s, 1e-5, "Q K^T [0, 0, 1]")
      end,
    },
    {
      text = "The biases start at zero, so nn.SelfAttention of lesson 8 with the same\n"
          .. "three matrices stacked as its kernel gives the same attention weights:\n"
          .. "one head of MultiHeadAttention is lesson 8's formula plus an output\n"
          .. "projection. sa(x); makes sa's kernel (at its first call) before\n"
          .. "set_weights replaces it.",
      text_zh = "偏置的初始值是 0，所以把这三个矩阵叠成第 8 课 nn.SelfAttention 的 kernel，\n"
             .. "得到的注意力权重完全一样：MultiHeadAttention 的一个头，就是第 8 课的公式\n"
             .. "再加一个输出投影。sa(x); 先调用一次，让 sa 创建 kernel，再用\n"
             .. "set_weights 替换它。",
      code = "sa = nn.SelfAttention(3)\nsa(x);\nsa:set_weights{tensor.stack({Wq, Wk, Wv}, 0)}\n"
          .. "for _, i in ipairs {2, 4, 6, 8} do print(mha.weight_names[i], ws[i]:abs():max():item()) end\n"
          .. "h = sa(x)\n(sa:last_attention() - mha:last_attention()[0]):abs():max():item()\n"
          .. "(h:matmul(ws[7][0]) + ws[8] - y):abs():max():item()",
      notice = "The biases are all zeros; sa's weights equal the head's, and h Wo + bo\n"
            .. "equals y (differences below 1e-5).",
      notice_zh = "所有偏置都是 0；sa 的注意力权重与这个头的相同，h Wo + bo 等于 y\n"
               .. "（差值小于 1e-5）。",
      check = function()
        for _, i in ipairs { 2, 4, 6, 8 } do
          lesson.expect(ws[i]:abs():max():item() == 0, mha.weight_names[i] .. " is zero")
        end
        lesson.close(sa.scale, math.sqrt(3), 1e-12, "sa.scale")
        lesson.close(sa:last_attention(), mha:last_attention()[0], 1e-6, "sa vs head 0")
        lesson.close(h:matmul(ws[7][0]) + ws[8], y, 1e-5, "h Wo + bo vs y")
      end,
    },
    {
      text = "With num_heads=2 each head has its own projections and its own map.\n"
          .. "return_attention_scores=true returns them too, shaped (batch, heads, Tq, Tk).\n"
          .. "Here the queries q attend over the values v of step 1.",
      text_zh = "num_heads=2 时，每个头都有自己的投影和自己的注意力图。\n"
             .. "return_attention_scores=true 会把它们一起返回，形状是\n"
             .. "(batch, heads, Tq, Tk)，即批量、头、查询、键。\n"
             .. "这里让第 1 步的查询 q 去关注值 v。",
      code = "mha2 = nn.MultiHeadAttention{num_heads = 2, key_dim = 3}\n"
          .. "o2, scores2 = mha2(q, v, {return_attention_scores = true})\no2.shape\nscores2.shape\n"
          .. "w2 = mha2:get_weights()\n"
          .. "Q1 = q:matmul(w2[1]:select(1, 1)) + w2[2][1]\nK1 = v:matmul(w2[3]:select(1, 1)) + w2[4][1]\n"
          .. "head1 = tensor.softmax(Q1:matmul(K1, {transpose_b = true}) / math.sqrt(3), -1)\n"
          .. "(head1 - scores2:select(1, 1)):abs():max():item()",
      notice = "scores2 is (1, 2, 2, 5): batch 1, 2 heads, Tq = 2, Tk = 5; o2 is (1, 2, 4).\n"
            .. "Head 1 by hand equals scores2[:, 1] (difference below 1e-6).",
      notice_zh = "scores2 是 (1, 2, 2, 5)：批量 1，2 个头，Tq = 2，Tk = 5；o2 是 (1, 2, 4)。\n"
               .. "手算的第 1 个头等于 scores2[:, 1]（差值小于 1e-6）。",
      check = function()
        lesson.shape(scores2, "(1, 2, 2, 5)")
        lesson.shape(o2, "(1, 2, 4)")
        lesson.close(scores2, mha2:last_attention(), 0, "scores are the kept weights")
        -- both heads by hand, and the output as the sum of the heads
        local total = w2[8]
        for head = 0, 1 do
          local Qh = q:matmul(w2[1]:select(1, head)) + w2[2][head]
          local Kh = v:matmul(w2[3]:select(1, head)) + w2[4][head]
          local Vh = v:matmul(w2[5]:select(1, head)) + w2[6][head]
          local wh = softmax_rows(Qh:matmul(Kh, { transpose_b = true }) / math.sqrt(3))
          lesson.close(scores2:select(1, head), wh, 1e-6, "head " .. head)
          total = total + wh:matmul(Vh):matmul(w2[7][head])
        end
        lesson.close(head1, scores2:select(1, 1), 1e-6, "head1")
        lesson.close(o2, total, 1e-5, "o2 = sum of the heads")
      end,
    },
  },
}
