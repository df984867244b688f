-- Lesson 1: attention by hand, then with nn.Attention. Run it at the
-- prompt with `:lesson 1`. Each step's code runs as if typed, so the
-- variables stay for the learner to explore.
return {
  title = "Attention by hand",
  title_zh = "手算注意力",
  steps = {
    {
      text = "A query asks a question; keys say what each time step holds.",
      text_zh = "查询（query）提出问题；键（key）说明每个时间步的内容。",
      code = "nn.seed(1)\nq = tensor.randn(1, 1, 4)\nk = tensor.randn(1, 5, 4)",
      explain = "q is one query of 4 features; k holds 5 time steps of 4 features.",
      explain_zh = "q 是一个 4 维的查询；k 有 5 个时间步，每步 4 维。",
    },
    {
      text = "Scores: the dot product of the query with every key.",
      text_zh = "分数：查询与每个键的点积。",
      code = "scores = q:matmul(k:transpose{0, 2, 1})\nscores.shape",
      explain = "(1, 1, 5): one score per time step. A larger score means a better match.",
      explain_zh = "(1, 1, 5)：每个时间步一个分数，分数越大越匹配。",
    },
    {
      text = "Softmax turns the scores into weights that sum to 1.",
      text_zh = "softmax 把分数变成和为 1 的权重。",
      code = "w = tensor.softmax(scores)\nw:sum()",
      explain = "These weights are the attention: how much each step is looked at.",
      explain_zh = "这些权重就是注意力：每个时间步被关注的程度。",
    },
    {
      text = "The output is the weighted sum of the values (here the keys themselves).",
      text_zh = "输出是值（这里就是键本身）的加权和。",
      code = "out = w:matmul(k)\nout.shape",
      explain = "(1, 1, 4): one vector, a mix of the 5 steps.",
      explain_zh = "(1, 1, 4)：一个向量，由 5 个时间步混合而成。",
    },
    {
      text = "nn.Attention does the same in one layer, and keeps the weights.",
      text_zh = "nn.Attention 用一层完成同样的计算，并保存权重。",
      code = "att = nn.Attention()\nout2 = att{q, k}\natt:last_attention()",
      explain = "Compare att:last_attention() with w: they are the same numbers.",
      explain_zh = "比较 att:last_attention() 与 w：数值完全相同。",
    },
  },
}
