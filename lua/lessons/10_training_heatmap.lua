-- Lesson 10: training an attention model on data.marker and watching its
-- attention map sharpen, epoch by epoch, through a fit callback.
local lesson = require "attnlab.lesson"

-- The mean weight, over the rows of m (samples, 20), on the marker and
-- the word after it; after[i] is the 0-based position of sample i's word.
local function pair_weight(m, after)
  local rows, total = m:totable(), 0
  for i, row in ipairs(rows) do
    total = total + row[after[i]] + row[after[i] + 1] -- 0-based p-1 and p
  end
  return total / #rows
end

local function file_exists(name)
  local f = io.open(name, "rb")
  if f then f:close() end
  return f ~= nil
end

return lesson.define {
  title = "Watching attention learn",
  title_zh = "观察注意力如何学会聚焦",
  intro = "We train a BiGRU with attention pooling on a task where one place in the\n"
       .. "sequence decides the label, and record its attention map after every\n"
       .. "epoch. At first it looks everywhere; then it finds the place that matters.",
  intro_zh = "我们在一个“序列中只有一处决定标签”的任务上训练带注意力汇聚的双向 GRU，\n"
          .. "并在每一轮结束后记下它的注意力图。一开始它到处都看；后来它找到了关键的位置。",
  params = { n = { 6000, 600 }, epochs = { 8, 2 } },
  steps = {
    {
      text = "data.marker: sequences of 20 words (ids 1 to 10) with one marker <mark>\n"
          .. "(id 11). The label is the word right after the marker, as id - 1, so there\n"
          .. "are 10 classes. info.positions holds where that word is.",
      text_zh = "data.marker：每个序列 20 个词元（id 1 到 10），其中有一个标记 <mark>\n"
             .. "（id 11）。标签是紧跟在标记后面的那个词元，取它的 id 减 1，所以一共\n"
             .. "10 类。info.positions 记录这个词元的位置。",
      code = "nn.clear_session()\nnn.seed(10)\n"
          .. "x, y, info = data.marker{n = $n, length = 20, seed = 1}\n"
          .. "x_test, y_test, test_info = data.marker{n = 200, length = 20, seed = 2}\n"
          .. "x.shape\nx[0]\ny[0]\ninfo.positions[0]",
      notice = "x is (6000, 20), one row of 20 ids per sequence. In x[0] the marker 11 is\n"
            .. "at position info.positions[0] - 1, and y[0] is the word after it minus 1.",
      notice_zh = "x 的形状是 (6000, 20)，每个序列一行 20 个词元 id。在 x[0] 中，标记 11\n"
               .. "位于 info.positions[0] - 1，y[0] 是它后面那个词元的 id 减 1。",
      check = function()
        lesson.shape(x, "(" .. (lesson.fast() and 600 or 6000) .. ", 20)")
        lesson.shape(x_test, "(200, 20)")
        lesson.expect(info.num_classes == 10 and info.marker == 11, "10 classes, marker 11")
        for _, set in ipairs { { x, y, info }, { x_test, y_test, test_info } } do
          local xs, ys, ps = set[1]:totable(), set[2]:totable(), set[3].positions:totable()
          for i = 1, #xs do
            local p = ps[i]
            lesson.expect(xs[i][p] == 11, "the marker is just before info.positions")
            lesson.expect(ys[i] == xs[i][p + 1] - 1, "y is the word after the marker, minus 1")
          end
        end
      end,
    },
    {
      text = "The model: Embedding, a bidirectional GRU that reads the whole sequence,\n"
          .. "nn.AttentionPooling (a softmax over the 20 time steps, then the weighted\n"
          .. "sum), and a softmax classifier over the 10 classes.",
      text_zh = "模型：嵌入层，读完整个序列的双向 GRU，nn.AttentionPooling（在 20 个\n"
             .. "时间步上做 softmax，再求加权和），最后是 10 类的 softmax 分类器。",
      code = "ids = nn.Input{20}\n"
          .. "h = nn.Bidirectional(nn.GRU(16, {return_sequences = true}))(nn.Embedding(info.vocab_size, 16)(ids))\n"
          .. "h\n"
          .. "pool = nn.AttentionPooling()\n"
          .. "probs = nn.Dense(info.num_classes, {activation = \"softmax\"})(pool(h))\n"
          .. "model = nn.Model(ids, probs)\n"
          .. "model:compile{optimizer = \"adam\", loss = \"sparse_categorical_crossentropy\", metrics = {\"accuracy\"}};\n"
          .. "probs",
      notice = "h is (None, 20, 32): 16 units forward and 16 backward at each of the 20\n"
            .. "steps; probs is (None, 10).",
      notice_zh = "h 是 (None, 20, 32)：20 个时间步，每步前向 16 维、反向 16 维；probs 是\n"
               .. "(None, 10)。",
      check = function()
        lesson.shape(h, "(None, 20, 32)")
        lesson.shape(probs, "(None, 10)")
        lesson.expect(model.compiled, "the model is compiled")
      end,
    },
    {
      text = "Six fixed test sequences to watch. Before training, the attention is\n"
          .. "almost uniform: every one of the 20 steps gets about 1/20 = 0.05.",
      text_zh = "选出 6 个固定的测试序列来观察。训练之前，注意力几乎是均匀的：\n"
             .. "20 个时间步每个都分到大约 1/20 = 0.05。",
      code = "x_few = x_test:slice(0, 0, 6)\n"
          .. "after = {}\nfor i = 1, 6 do after[i] = test_info.positions:get(i - 1) end\n"
          .. "model:predict(x_few);\n"
          .. "before = tensor.squeeze(pool:last_attention(), 1)\nbefore.shape\n"
          .. "before:min():item()\nbefore:max():item()",
      notice = "before is (6, 20), every weight between 0.04 and 0.06.",
      notice_zh = "before 的形状是 (6, 20)，每个权重都在 0.04 到 0.06 之间。",
      check = function()
        lesson.shape(x_few, "(6, 20)")
        lesson.shape(before, "(6, 20)")
        lesson.close(before:sum(-1), tensor.ones(6), 1e-5, "rows sum to 1")
        local lo, hi = before:min():item(), before:max():item()
        lesson.expect(lo > 0.04 and hi < 0.06,
                      string.format("weights in [%.4f, %.4f], not within 0.04..0.06", lo, hi))
      end,
    },
    {
      text = "A callback is a table of functions that fit calls; on_epoch_end(self,\n"
          .. "epoch, logs) runs after every epoch (epoch counts from 0, as in Keras). Ours runs\n"
          .. "the six sequences through the model and keeps a copy of the attention map.",
      text_zh = "回调（callback）是一个由函数组成的表，fit 会调用它们；on_epoch_end(self, epoch, logs)\n"
             .. "在每一轮结束时运行（和 Keras 一样，epoch 从 0 开始数）。我们的回调把 6 个序列送进模型，\n"
             .. "并保存一份注意力图。",
      code = "maps = {}\n"
          .. "recorder = {on_epoch_end = function(self, epoch, logs)\n"
          .. "  model:predict(x_few)\n"
          .. "  maps[epoch + 1] = tensor.squeeze(pool:last_attention(), 1):clone()\n"
          .. "end}\n"
          .. "#maps",
      notice = "No map yet: #maps is 0 until fit runs.",
      notice_zh = "现在还没有注意力图：在 fit 运行之前，#maps 是 0。",
      check = function()
        lesson.expect(#maps == 0, "no maps before fit")
        lesson.expect(type(recorder.on_epoch_end) == "function", "recorder has on_epoch_end")
      end,
    },
    {
      text = "Train, keeping the last 20% of the data for validation, with the recorder\n"
          .. "among the callbacks.",
      text_zh = "开始训练，留出最后 20% 的数据做验证，并把 recorder 放进 callbacks。",
      code = "history = model:fit(x, y, {epochs = $epochs, batch_size = 32, validation_split = 0.2, callbacks = {recorder}})\n"
          .. "#maps\nhistory.history.val_accuracy[#maps]",
      notice = "#maps equals the number of epochs: one (6, 20) map per epoch. The\n"
            .. "val_accuracy of the last epoch, printed last, is above 0.95.",
      notice_zh = "#maps 等于训练的轮数：每轮一张 (6, 20) 的注意力图。最后打印的是最后\n"
               .. "一轮的 val_accuracy，高于 0.95。",
      check = function()
        local epochs = lesson.fast() and 2 or 8
        lesson.expect(#maps == epochs, string.format("%d maps, expected %d", #maps, epochs))
        for e = 1, epochs do
          lesson.shape(maps[e], "(6, 20)")
          lesson.close(maps[e]:sum(-1), tensor.ones(6), 1e-5, "epoch " .. e .. " rows sum to 1")
        end
        local loss = history.history.loss
        lesson.expect(#loss == epochs, "one loss per epoch")
        for e = 1, epochs do
          lesson.expect(loss[e] == loss[e] and math.abs(loss[e]) < math.huge, "the loss is finite")
        end
        if not lesson.fast() then
          local acc = history.history.val_accuracy[epochs]
          lesson.expect(acc > 0.95, string.format("final val_accuracy %.3f > 0.95", acc))
          -- the model and the accuracy agree on the test set too
          local _, test_acc = model:evaluate(x_test, y_test)
          lesson.expect(test_acc > 0.95, string.format("test accuracy %.3f > 0.95", test_acc))
        end
      end,
    },
    {
      text = "Where does it look? Both the marker and the word after it can hold the\n"
          .. "answer: the backward GRU at the marker has just read the next word, the\n"
          .. "forward GRU at the word has just read the marker. We add up the weight on\n"
          .. "these two places, per epoch; looking everywhere equally would give 2/20 = 0.1.",
      text_zh = "它在看哪里？标记和它后面的词都可能带着答案：反向 GRU 在标记处刚读过下一个词，\n"
             .. "前向 GRU 在那个词处刚读过标记。我们把这两个位置上的权重加起来，逐轮打印；\n"
             .. "如果到处平均地看，结果是 2/20 = 0.1。",
      code = "function on_pair(m)\n"
          .. "  local rows, total = m:totable(), 0\n"
          .. "  for i, row in ipairs(rows) do total = total + row[after[i]] + row[after[i] + 1] end\n"
          .. "  return total / #rows\n"
          .. "end\n"
          .. "for e, m in ipairs(maps) do print(string.format(\"epoch %d: %.3f\", e, on_pair(m))) end",
      notice = "The weight on the marker and its word grows from about 0.1 in the first\n"
            .. "epoch to above 0.8 in the last.",
      notice_zh = "标记和它后面那个词上的权重，从第 1 轮的 0.1 左右增长到最后一轮的\n"
               .. "0.8 以上。",
      check = function()
        local n = #maps
        local first, last = pair_weight(maps[1], after), pair_weight(maps[n], after)
        lesson.close(on_pair(maps[n]), last, 1e-6, "on_pair")
        lesson.close(pair_weight(before, after), 0.1, 0.02, "before training")
        if not lesson.fast() then
          lesson.close(first, 0.1, 0.05, "the first epoch")
          lesson.expect(last > first, string.format("last %.3f > first %.3f", last, first))
          lesson.expect(last > 0.8, string.format("last %.3f > 0.8 (uniform 0.1)", last))
        end
      end,
    },
    {
      text = "All epochs side by side, one panel per epoch on a shared colour scale:\n"
          .. "rows are the six sequences, columns the 20 positions.",
      text_zh = "把所有轮并排画出来，每轮一块，共用一个颜色刻度：行是 6 个序列，\n"
             .. "列是 20 个位置。",
      code = "panels = {}\n"
          .. "for e, m in ipairs(maps) do panels[e] = {m, title = \"epoch \" .. e} end\n"
          .. "labels = {}\nfor i = 1, 6 do labels[i] = string.format(\"s%d mark@%d\", i - 1, after[i] - 1) end\n"
          .. "viz.grid(panels, {file = \"lesson10_epochs.png\", shared = true, ncols = 4, ylabels = labels, xlabel = \"position\"})\n"
          .. "viz.show(maps[#maps], {ylabels = labels})",
      notice = "In lesson10_epochs.png the first panels are flat; in the last one each row\n"
            .. "has its bright cell at the marker (mark@) or the position right after it.",
      notice_zh = "在 lesson10_epochs.png 里，前几块几乎是平的；最后一块里，每一行最亮的格子\n"
               .. "都在标记处（mark@）或紧跟其后的位置。",
      check = function()
        lesson.expect(file_exists("lesson10_epochs.png"), "lesson10_epochs.png was written")
        if not lesson.fast() then
          local rows = maps[#maps]:totable()
          for i, row in ipairs(rows) do
            local best = 1
            for j = 2, #row do if row[j] > row[best] then best = j end end
            local at = best - 1 -- 0-based
            lesson.expect(at == after[i] - 1 or at == after[i],
                          string.format("row %d looks at %d, not the marker %d or the word %d",
                                        i - 1, at, after[i] - 1, after[i]))
          end
        end
      end,
    },
    {
      text = "The training curves: loss and accuracy per epoch, training solid and\n"
          .. "validation dashed. The validation accuracy is measured at the end of each\n"
          .. "epoch, like the maps: it climbs together with the weight on the pair.",
      text_zh = "训练曲线：每轮的损失和准确率，实线是训练集，虚线是验证集。验证准确率和\n"
             .. "注意力图一样，都是在每轮结束时测的：它和那两个位置上的权重一起上升。",
      code = "viz.plot(history, {file = \"lesson10_history.png\", title = \"data.marker\"})\n"
          .. "for e, a in ipairs(history.history.val_accuracy) do\n"
          .. "  print(string.format(\"epoch %d: val_accuracy %.3f, weight on the pair %.3f\", e, a, on_pair(maps[e])))\n"
          .. "end",
      notice = "lesson10_history.png draws the curves. The two printed numbers are both\n"
            .. "below 0.3 in epoch 1 and above 0.9 in the last, and each rises most in the\n"
            .. "same epoch or one apart.",
      notice_zh = "lesson10_history.png 画出了这些曲线。打印的两个数在第 1 轮都低于 0.3，\n"
               .. "在最后一轮都高于 0.9；两者涨得最多的那一轮相同，或者只差一轮。",
      check = function()
        lesson.expect(file_exists("lesson10_history.png"), "lesson10_history.png was written")
        if not lesson.fast() then
          local acc = history.history.val_accuracy
          local n = #maps
          local w1, wn = pair_weight(maps[1], after), pair_weight(maps[n], after)
          lesson.expect(acc[1] < 0.3 and w1 < 0.3,
                        string.format("epoch 1: val_accuracy %.3f, weight %.3f", acc[1], w1))
          lesson.expect(acc[n] > 0.9 and wn > 0.9,
                        string.format("last epoch: val_accuracy %.3f, weight %.3f", acc[n], wn))
          -- the epoch of the largest rise, from the previous epoch (from
          -- before training for the weight of epoch 1)
          local function largest_rise(values)
            local best, rise = 1, -math.huge
            for e = 2, #values do
              if values[e] - values[e - 1] > rise then best, rise = e, values[e] - values[e - 1] end
            end
            return best, rise
          end
          local wts = {}
          for e = 1, #maps do wts[e] = pair_weight(maps[e], after) end
          local ea, ra = largest_rise(acc)
          local ew, rw = largest_rise(wts)
          lesson.expect(math.abs(ea - ew) <= 1, string.format(
            "val_accuracy rises most at epoch %d (+%.2f), the pair weight at epoch %d (+%.2f)",
            ea, ra, ew, rw))
        end
      end,
    },
    {
      text = "For a slide, the same maps as one animated GIF: viz.animate shows the epochs\n"
          .. "one after the other, 0.6 seconds each, on one colour scale for all of them.",
      text_zh = "做幻灯片时，可以把这些注意力图做成一个 GIF 动画：viz.animate 把各轮依次播放，\n"
             .. "每轮 0.6 秒，所有帧共用一个颜色刻度。",
      code = "frames = {}\n"
          .. "for e, m in ipairs(maps) do frames[e] = {m, title = \"epoch \" .. e} end\n"
          .. "viz.animate{frames, file = \"lesson10_epochs.gif\", delay = 0.6, ylabels = labels, xlabel = \"position\"}\n"
          .. "viz.last_info.frames",
      notice = "lesson10_epochs.gif has one frame per epoch (#maps of them); open it in a\n"
            .. "browser or put it on a slide: the bright cells gather at the marker.",
      notice_zh = "lesson10_epochs.gif 每轮一帧（一共 #maps 帧）；用浏览器打开它或放进幻灯片，\n"
               .. "可以看到最亮的格子逐渐聚到标记处。",
      check = function()
        local f = io.open("lesson10_epochs.gif", "rb")
        lesson.expect(f ~= nil, "lesson10_epochs.gif was written")
        local head = f:read(6)
        f:close()
        lesson.expect(head == "GIF89a", "lesson10_epochs.gif is a GIF")
        lesson.expect(viz.last_info.frames == #maps,
                      string.format("%d frames, expected %d", viz.last_info.frames, #maps))
        for e = 1, #maps do
          lesson.expect(viz.last_info.vmin <= maps[e]:min():item() + 1e-6 and
                        viz.last_info.vmax >= maps[e]:max():item() - 1e-6,
                        "one colour scale covers epoch " .. e)
        end
      end,
    },
  },
}
