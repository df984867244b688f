-- Lesson 11: gradients (backward, grad, zero_grad, gradcheck) and one Adam
-- step worked by hand, checked against nn.optimizers.Adam.
local lesson = require "attnlab.lesson"

-- Keras's defaults for Adam
local LR, B1, B2, EPS = 0.001, 0.9, 0.999, 1e-7

-- one Keras Adam step from zero state, in double precision:
-- w - lr * sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps)
local function keras_step(w, g)
  local m, v = (1 - B1) * g, (1 - B2) * g * g
  local alpha = LR * math.sqrt(1 - B2) / (1 - B1)
  return w - alpha * m / (math.sqrt(v) + EPS)
end

return lesson.define {
  title = "Gradients and one step of Adam",
  title_zh = "梯度与 Adam 的一步更新",
  intro = "Training is two things: gradients (how the loss changes with each weight)\n"
       .. "and an optimizer step that uses them. We look at attnlab's autograd, check\n"
       .. "a gradient against finite differences, then work one Adam step by hand:\n"
       .. "what is W_k after one step?",
  intro_zh = "训练由两部分组成：梯度（损失随每个权重怎样变化），以及用梯度更新权重的优化器。\n"
          .. "我们先看 attnlab 的自动求导，用有限差分检验一个梯度，再手算 Adam 的一步：\n"
          .. "一步之后的 W_k 是多少？",
  steps = {
    {
      text = "A tensor created with requires_grad=true records what is computed from it.\n"
          .. "y = sum(x * x); y:backward() fills x.grad with dy/dx = 2x.",
      text_zh = "用 requires_grad=true 创建的张量会记录由它算出的一切。\n"
             .. "y = sum(x * x)；y:backward() 把 dy/dx = 2x 填进 x.grad。",
      code = "x = tensor.from({1, 2, 3}, {requires_grad = true})\n"
          .. "y = (x * x):sum()\ny:item()\ny:backward()\nx.grad",
      notice = "y is 1 + 4 + 9 = 14, and x.grad is [2, 4, 6] = 2x.",
      notice_zh = "y 是 1 + 4 + 9 = 14，x.grad 是 [2, 4, 6]，正好是 2x。",
      check = function()
        lesson.close(y:item(), 14, 0, "y")
        lesson.close(x.grad, { 2, 4, 6 }, 0, "x.grad")
      end,
    },
    {
      text = "Gradients add up: a second backward adds to x.grad instead of replacing it.\n"
          .. "That is why fit zeroes them before every batch; x:zero_grad() does it by hand.",
      text_zh = "梯度会累加：再做一次 backward，结果会加到 x.grad 上，而不是替换它。\n"
             .. "所以 fit 在每个批量之前都会清零梯度；手动清零用 x:zero_grad()。",
      code = "y = (x * x):sum()\ny:backward()\nx.grad\nx:zero_grad();\nx.grad",
      notice = "After the second backward x.grad is [4, 8, 12] (2x twice); after zero_grad\n"
            .. "it is [0, 0, 0].",
      notice_zh = "第二次 backward 之后 x.grad 是 [4, 8, 12]（两次 2x 之和）；zero_grad\n"
               .. "之后是 [0, 0, 0]。",
      check = function()
        lesson.close(x.grad, { 0, 0, 0 }, 0, "after zero_grad")
        -- the sum of two backwards, again
        local z = tensor.from({ 1, 2, 3 }, { requires_grad = true })
        ;(z * z):sum():backward()
        ;(z * z):sum():backward()
        lesson.close(z.grad, { 4, 8, 12 }, 0, "two backwards")
      end,
    },
    {
      text = "A gradient check compares autograd with finite differences: nudge one input\n"
          .. "number by h, and (f(w + h) - f(w - h)) / 2h should be its gradient.\n"
          .. "First by hand, for one number of w in f(w) = sum(tanh(a w)).",
      text_zh = "梯度检验（gradient check）把自动求导的结果与有限差分相比：把一个输入\n"
             .. "数值挪动 h，(f(w + h) - f(w - h)) / 2h 应该等于它的梯度。先对\n"
             .. "f(w) = sum(tanh(a w)) 中 w 的一个数手算。",
      code = "nn.seed(11)\na = tensor.randn(2, 3)\nw = tensor.randn(3, 2, {requires_grad = true})\n"
          .. "function f(a, w) return tensor.tanh(a:matmul(w)):sum() end\n"
          .. "f(a, w):backward()\nw.grad:get(0, 1)\n"
          .. "h = 1e-2\nw_plus = w:detach():clone()\nw_plus:set(0, 1, w:get(0, 1) + h);\n"
          .. "w_minus = w:detach():clone()\nw_minus:set(0, 1, w:get(0, 1) - h);\n"
          .. "(f(a, w_plus):item() - f(a, w_minus):item()) / (2 * h)",
      notice = "The two numbers agree to within 1e-3: autograd's w.grad[0, 1] and the\n"
            .. "finite difference.",
      notice_zh = "两个数相差在 1e-3 以内：自动求导的 w.grad[0, 1] 与有限差分的结果一致。",
      check = function()
        local wp, wm = w:detach():clone(), w:detach():clone()
        wp:set(0, 1, w:get(0, 1) + 1e-2)
        wm:set(0, 1, w:get(0, 1) - 1e-2)
        local numeric = (f(a, wp):item() - f(a, wm):item()) / 2e-2
        lesson.close(w.grad:get(0, 1), numeric, 1e-3, "autograd vs finite difference")
        -- and by the formula: d/dw[0,1] = sum_i a[i,0] (1 - tanh(a w)[i,1]^2)
        local t = tensor.tanh(a:matmul(w:detach())):totable()
        local at = a:totable()
        local g = 0
        for i = 1, 2 do g = g + at[i][1] * (1 - t[i][2] ^ 2) end
        lesson.close(w.grad:get(0, 1), g, 1e-5, "the chain rule")
      end,
    },
    {
      text = "tensor.gradcheck(f, {inputs}) does this for every number of every input that\n"
          .. "requires grad, and returns whether all agree and the worst relative error.",
      text_zh = "tensor.gradcheck(f, {inputs}) 对每个需要梯度的输入中的每个数都这样检验，\n"
             .. "返回是否全部一致，以及最大的相对误差。",
      code = "a:set_requires_grad(true);\nok, worst = tensor.gradcheck(f, {a, w})\nok\nworst",
      notice = "ok is true and worst is below 1e-3 (the default tolerance).",
      notice_zh = "ok 是 true，worst 小于 1e-3（默认的容差）。",
      check = function()
        lesson.expect(ok == true, "gradcheck passed")
        lesson.expect(worst < 1e-3, string.format("worst %.3g < 1e-3", worst))
        local ok2, worst2 = tensor.gradcheck(f, { a, w })
        lesson.expect(ok2 and worst2 == worst, "the same result again")
      end,
    },
    {
      text = "It catches wrong gradients. x:get() returns a plain Lua number, outside\n"
          .. "autograd, so a function built with it has a gradient autograd cannot see.",
      text_zh = "它能发现错误的梯度。x:get() 返回的是普通的 Lua 数，脱离了自动求导；\n"
             .. "用它搭出的函数，有一部分梯度自动求导看不见。",
      code = "function g(a, w) return f(a, w) + w:get(0, 0) ^ 2 end\n"
          .. "tensor.gradcheck(g, {a, w})",
      notice = "false: the finite differences see the w[0, 0]^2 term, autograd does not;\n"
            .. "the worst error is well above the tolerance 1e-3.",
      notice_zh = "结果是 false：有限差分看得到 w[0, 0]^2 这一项，自动求导看不到；\n"
               .. "最大误差远大于容差 1e-3。",
      check = function()
        local passed, err = tensor.gradcheck(g, { a, w })
        lesson.expect(passed == false, "gradcheck fails")
        lesson.expect(err > 1e-2, string.format("worst error %.3g > 10 times the tolerance", err))
        -- the missing gradient is 2 w[0, 0]: gradcheck's relative error of that entry
        local wc = w:detach():clone()
        wc:set_requires_grad(true)
        f(a:detach(), wc):backward()
        local analytic, missing = wc.grad:get(0, 0), 2 * w:get(0, 0)
        local numeric = analytic + missing
        local rel = math.abs(missing) / math.max(1, math.abs(numeric), math.abs(analytic))
        lesson.close(err, rel, 1e-2, "the missing 2 w[0, 0]")
      end,
    },
    {
      text = "Now the optimizer. Take a key matrix W_k (2, 3), as in lesson 8, and a loss\n"
          .. "L = sum((x W_k)^2) / 2 for x = [1, 2]. Its gradient is x^T (x W_k).",
      text_zh = "现在来看优化器。取一个键矩阵 W_k (2, 3)（像第 8 课那样），损失为\n"
             .. "L = sum((x W_k)^2) / 2，其中 x = [1, 2]。它的梯度是 x^T (x W_k)。",
      code = "W_k = tensor.from({{0.5, -0.3, 0.8}, {-0.1, 0.2, -0.6}}, {requires_grad = true})\n"
          .. "xk = tensor.from{{1, 2}}\n"
          .. "loss = (xk:matmul(W_k) ^ 2):sum() / 2\nloss:backward()\n"
          .. "grad = W_k.grad:clone()\ngrad",
      notice = "x W_k = [0.3, 0.1, -0.4], so the gradient is\n"
            .. "[[0.3, 0.1, -0.4], [0.6, 0.2, -0.8]].",
      notice_zh = "x W_k = [0.3, 0.1, -0.4]，所以梯度是\n"
               .. "[[0.3, 0.1, -0.4], [0.6, 0.2, -0.8]]。",
      check = function()
        lesson.close(xk:matmul(W_k:detach()), { 0.3, 0.1, -0.4 }, 1e-6, "x W_k")
        lesson.close(grad, { 0.3, 0.1, -0.4, 0.6, 0.2, -0.8 }, 1e-6, "gradient")
        lesson.close(loss:item(), (0.09 + 0.01 + 0.16) / 2, 1e-6, "loss")
      end,
    },
    {
      text = "Adam's first step by the textbook, with Keras's defaults (lr 0.001, b1 0.9,\n"
          .. "b2 0.999, eps 1e-7): m = (1 - b1) g, v = (1 - b2) g^2, m_hat = m / (1 - b1),\n"
          .. "v_hat = v / (1 - b2), w' = w - lr * m_hat / (sqrt(v_hat) + eps).",
      text_zh = "按教科书算 Adam 的第一步，使用 Keras 的默认值（lr 0.001，b1 0.9，\n"
             .. "b2 0.999，eps 1e-7）：m = (1 - b1) g，v = (1 - b2) g^2，m_hat = m / (1 - b1)，\n"
             .. "v_hat = v / (1 - b2)，w' = w - lr * m_hat / (sqrt(v_hat) + eps)。",
      code = "lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7\n"
          .. "m = grad * (1 - b1)\nv = grad ^ 2 * (1 - b2)\n"
          .. "m_hat = m / (1 - b1)\nv_hat = v / (1 - b2)\n"
          .. "W_textbook = W_k:detach() - m_hat / (tensor.sqrt(v_hat) + eps) * lr\nW_textbook",
      notice = "At the first step m_hat = g and v_hat = g^2, so each weight moves by\n"
            .. "lr * g / (|g| + eps): almost exactly lr = 0.001, against its gradient.\n"
            .. "W_textbook[0, 0] is 0.5 - 0.001 = 0.499.",
      notice_zh = "第一步时 m_hat = g，v_hat = g^2，所以每个权重移动 lr * g / (|g| + eps)：\n"
               .. "几乎正好是 lr = 0.001，方向与梯度相反。W_textbook[0, 0] 是\n"
               .. "0.5 - 0.001 = 0.499。",
      check = function()
        lesson.close(m_hat, grad, 1e-7, "m_hat = g")
        lesson.close(v_hat, grad ^ 2, 1e-7, "v_hat = g^2")
        local w0, g0 = lesson.values(W_k:detach()), lesson.values(grad)
        local want = {}
        for i = 1, #w0 do
          want[i] = w0[i] - LR * g0[i] / (math.abs(g0[i]) + EPS)
        end
        lesson.close(W_textbook, want, 1e-7, "textbook step")
        lesson.close(W_textbook:get(0, 0), 0.499, 1e-6, "W_textbook[0, 0]")
      end,
    },
    {
      text = "Keras (and attnlab) write the same step another way: fold the two bias\n"
          .. "corrections into the rate, alpha = lr * sqrt(1 - b2^t) / (1 - b1^t), then\n"
          .. "w' = w - alpha * m / (sqrt(v) + eps). Here eps is added to sqrt(v), not to\n"
          .. "sqrt(v_hat); at step 1 sqrt(v) is sqrt(1 - b2) = 0.032 times sqrt(v_hat),\n"
          .. "so eps weighs about 32 times more.",
      text_zh = "Keras（以及 attnlab）用另一种写法算同一步：把两个偏差修正并进学习率，\n"
             .. "alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)，再算\n"
             .. "w' = w - alpha * m / (sqrt(v) + eps)。这里 eps 加在 sqrt(v) 上，而不是\n"
             .. "sqrt(v_hat) 上；第 1 步时 sqrt(v) 只有 sqrt(v_hat) 的 sqrt(1 - b2) = 0.032\n"
             .. "倍，所以 eps 的相对作用大了约 32 倍。",
      code = "t = 1\nalpha = lr * math.sqrt(1 - b2 ^ t) / (1 - b1 ^ t)\nalpha\n"
          .. "W_keras = W_k:detach() - m / (tensor.sqrt(v) + eps) * alpha\n"
          .. "(W_keras - W_textbook):abs():max():item()",
      notice = "alpha is 0.001 * sqrt(0.001) / 0.1 = 0.000316. With gradients this large\n"
            .. "(|g| >= 0.1) the two forms agree to better than 1e-7.",
      notice_zh = "alpha 是 0.001 * sqrt(0.001) / 0.1 = 0.000316。梯度这么大（|g| >= 0.1）时，\n"
               .. "两种写法的差别小于 1e-7。",
      check = function()
        lesson.close(alpha, 0.001 * math.sqrt(0.001) / 0.1, 1e-15, "alpha")
        lesson.close(alpha, 0.000316, 1e-6, "alpha")
        lesson.close(math.sqrt(1 - B2), 0.032, 5e-4, "sqrt(1 - b2)")
        lesson.close(1 / math.sqrt(1 - B2), 32, 0.5, "about 32 times")
        lesson.close(tensor.sqrt(v), tensor.sqrt(v_hat) * math.sqrt(1 - B2), 1e-8, "sqrt(v)")
        local w0, g0 = lesson.values(W_k:detach()), lesson.values(grad)
        local want = {}
        for i = 1, #w0 do want[i] = keras_step(w0[i], g0[i]) end
        lesson.close(W_keras, want, 1e-7, "Keras's form by hand")
        lesson.close(W_keras, W_textbook, 1e-7, "the two forms")
      end,
    },
    {
      text = "nn.optimizers.Adam() with Keras's defaults, applied to W_k: opt:apply{W_k}\n"
          .. "reads W_k.grad and updates W_k in place. That one-argument form is\n"
          .. "attnlab's: Keras's optimizer.apply(grads, variables) takes the gradients\n"
          .. "first, and attnlab's opt:apply(grads, weights) does too (step 11).",
      text_zh = "用 Keras 默认值的 nn.optimizers.Adam()，作用在 W_k 上：opt:apply{W_k}\n"
             .. "读取 W_k.grad，并原地更新 W_k。只传权重的这种写法是 attnlab 的；Keras 的\n"
             .. "optimizer.apply(grads, variables) 要先传梯度，attnlab 的\n"
             .. "opt:apply(grads, weights) 也可以这样用（见第 11 步）。",
      code = "opt = nn.optimizers.Adam()\nopt\nopt:apply{W_k}\nW_k\n"
          .. "(W_k - W_keras):abs():max():item()\nopt.iterations",
      notice = "W_k now equals W_keras (difference below 1e-7); opt.iterations is 1.",
      notice_zh = "现在 W_k 等于 W_keras（差值小于 1e-7）；opt.iterations 是 1。",
      check = function()
        lesson.expect(opt.learning_rate == LR and opt.beta_1 == B1 and opt.beta_2 == B2
                      and opt.epsilon == EPS, "Keras's defaults")
        lesson.expect(opt.iterations == 1, "one step")
        local w0, g0 = { 0.5, -0.3, 0.8, -0.1, 0.2, -0.6 }, lesson.values(grad)
        local want = {}
        for i = 1, #w0 do want[i] = keras_step(w0[i], g0[i]) end
        lesson.close(W_k, want, 1e-7, "Adam vs Keras's formula")
        lesson.close(W_k, W_keras, 1e-7, "W_k vs W_keras")
        local st = opt:state_of(W_k)
        lesson.close(st.momentum, m, 1e-7, "Adam's m")
        lesson.close(st.velocity, v, 1e-8, "Adam's v") -- (1 - b2) rounds to float32
      end,
    },
    {
      text = "So the first Adam step moves every weight by about lr, in the direction\n"
          .. "opposite to its gradient's sign, whatever the gradient's size: 0.1 or 0.8.",
      text_zh = "所以 Adam 的第一步让每个权重都移动约 lr，方向与梯度的符号相反，\n"
             .. "与梯度的大小无关：0.1 也好，0.8 也好。",
      code = "step = W_k:detach() - tensor.from{{0.5, -0.3, 0.8}, {-0.1, 0.2, -0.6}}\nstep",
      notice = "Every entry of step is -0.001 where the gradient is positive and +0.001\n"
            .. "where it is negative (within 1e-6).",
      notice_zh = "梯度为正的位置，step 是 -0.001；梯度为负的位置，step 是 +0.001\n"
               .. "（误差在 1e-6 以内）。",
      check = function()
        local s, g0 = lesson.values(step), lesson.values(grad)
        for i = 1, #s do
          local sign = g0[i] > 0 and 1 or -1
          lesson.close(s[i], -sign * LR, 1e-6, "step " .. i)
        end
      end,
    },
    {
      text = "Where eps sits matters only for tiny gradients. For g = 1e-6 the textbook\n"
          .. "step is lr * 1e-6 / (1e-6 + 1e-7) = 0.91 lr; Keras's is smaller, because its\n"
          .. "eps counts against sqrt(v) = 0.032 * 1e-6. opt:apply(grads, weights) takes\n"
          .. "the gradients directly.",
      text_zh = "eps 放在哪里，只对很小的梯度有影响。g = 1e-6 时，教科书的一步是\n"
             .. "lr * 1e-6 / (1e-6 + 1e-7) = 0.91 lr；Keras 的一步更小，因为它的 eps 是和\n"
             .. "sqrt(v) = 0.032 * 1e-6 相比的。opt:apply(grads, weights) 可以直接传入梯度。",
      code = "w1 = tensor.from{0.5}\nopt1 = nn.optimizers.Adam()\nopt1:apply({tensor.from{1e-6}}, {w1})\n"
          .. "(0.5 - w1:item()) / lr",
      notice = "The step is about 0.24 lr: 1e-6 * 0.0316 / (1e-6 * 0.0316 + 1e-7), not\n"
            .. "0.91 lr.",
      notice_zh = "这一步约为 0.24 lr：1e-6 * 0.0316 / (1e-6 * 0.0316 + 1e-7)，而不是 0.91 lr。",
      check = function()
        local g = 1e-6
        local keras = (0.5 - keras_step(0.5, g)) / LR
        local sv = math.sqrt(1 - B2) * g
        lesson.close(keras, sv / (sv + EPS), 1e-9, "Keras's step in units of lr")
        lesson.close(keras, 0.24, 0.005, "about 0.24")
        lesson.close(1e-6 / (1e-6 + 1e-7), 0.91, 0.001, "textbook 0.91")
        -- w1 is float32: 0.5 - w1 is exact to about 3e-8 of a 2.4e-4 step
        lesson.close((0.5 - w1:item()) / LR, keras, 1e-3, "Adam's step in units of lr")
      end,
    },
  },
}
