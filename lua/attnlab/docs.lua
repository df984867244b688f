-- attnlab.docs: every docstring of attnlab, in English and Chinese. help()
-- at the prompt reads it, and tools/gen_docs.lua writes docs/reference.md
-- and docs/reference.zh.md from it, so the three never disagree.
--
-- The entries live in four files, one list each, concatenated here in this
-- order: docs_tensor.lua (tensors), docs_nn.lua (layers, layer methods,
-- utilities), docs_train.lua (models, losses, optimizers) and
-- docs_viz_data.lua (viz, data).
--
-- Each entry:
--   name        the name as typed, the key help() looks up ("nn.GRU",
--               "tensor.sum", "Model:fit", "Layer:get_weights")
--   aliases     other names the same text documents ({"tensor.mean", ...});
--               help() finds the entry under each of them
--   section     one of docs.sections (English, the key)
--   signature   how it is called (code, one language)
--   computes    what it computes; computes_zh in Chinese
--   options     { name, default, meaning, meaning_zh } each; the default is
--               code (nil, true, "tanh"), the same in both languages
--   call_options  the same, for the options of calling the object made
--               (layer(x, {...}))
--   shapes      the shapes in and out; shapes_zh when it has words
--   keras       the Keras (or NumPy) line it corresponds to
--   example     a short script, run line by line as at the prompt; its
--               comments hold only code and shapes, never prose
--   needs, needs_zh  the state the example needs from an earlier example
--               (tests run such examples after the rest of their section)
local i18n = require "attnlab.i18n"
local util = require "attnlab.util"

local docs = {}

docs.sections = { "Tensors", "Layers", "Merge and reshape layers", "Recurrent layers",
                  "Attention", "Layer methods", "Models and training", "Losses",
                  "Optimizers", "Visualisation", "Data", "Utilities" }

docs.sections_zh = {
  ["Tensors"] = "张量",
  ["Layers"] = "层",
  ["Merge and reshape layers"] = "合并层与变形层",
  ["Recurrent layers"] = "循环层",
  ["Attention"] = "注意力",
  ["Layer methods"] = "层的方法",
  ["Models and training"] = "模型与训练",
  ["Losses"] = "损失函数",
  ["Optimizers"] = "优化器",
  ["Visualisation"] = "可视化",
  ["Data"] = "数据",
  ["Utilities"] = "工具",
}

-- A section's title in the current language.
function docs.section_title(section)
  if i18n.zh() then return docs.sections_zh[section] or section end
  return section
end

docs.modules = {
  tensor = "tensors: creation, element-wise maths, reductions, matmul, shapes, autograd",
  tensor_zh = "张量：创建、逐元素运算、归约、矩阵乘法、形状变换、自动微分",
  nn = "layers (Dense, GRU, LSTM, SimpleRNN, Bidirectional, attention, ...) and models",
  nn_zh = "层（Dense、GRU、LSTM、SimpleRNN、Bidirectional、注意力层……）和模型",
  viz = "heatmaps, grids, training curves (PNG, SVG, PDF) and terminal previews",
  viz_zh = "热力图、多图网格、训练曲线（PNG、SVG、PDF）和终端里的预览",
  data = "toy tasks (needle, marker, adding, sentiment), Tokenizer, pad_sequences",
  data_zh = "玩具任务（needle、marker、adding、sentiment）、Tokenizer、pad_sequences",
}

-- Names that sit in a public table but are not meant for learners, with
-- the reason; tests/lua/test_docs.lua accepts them without a docstring.
-- "Layer:x" covers the method x of every layer class.
docs.internal = {
  ["nn.class"] = "defines a layer class; used by attnlab's own layer files",
  ["nn.unique_name"] = "gives layers the names dense, dense_1, ...; used by the layer files",
  ["nn.check_units"] = "checks a positive integer argument; used by the layer files",
  ["nn.masks"] = "the weak table behind x.mask",
  ["nn.collect_attention"] = "keeps every batch's attention weights while predict and evaluate run",
  ["Layer:describe"] = "the text that print(layer) shows after the name",
  ["Layer:clone_options"] = "copies an options table (for GRU:copy and Bidirectional)",
  ["Layer:not_a_list"] = "raises Keras's error when a merge layer gets one tensor",
  ["Layer:declared_shape"] = "applies Lambda's output_shape= inside its call",
  ["Layer:scores"] = "the score step inside an attention layer's call",
  ["Loss:describe"] = "the text that print(loss) shows",
  ["Loss:check"] = "Keras's warning check before a categorical crossentropy",
  ["Optimizer:describe"] = "the text that print(optimizer) shows",
  ["Optimizer:init_slot"] = "the starting value of an optimizer's state tensors",
}

docs.entries = {}
for _, part in ipairs { "attnlab.docs_tensor", "attnlab.docs_nn", "attnlab.docs_train",
                        "attnlab.docs_viz_data" } do
  for _, e in ipairs(require(part)) do docs.entries[#docs.entries + 1] = e end
end

-- Every name an entry documents: its name, then its aliases.
function docs.names(e)
  local out = { e.name }
  for _, a in ipairs(e.aliases or {}) do out[#out + 1] = a end
  return out
end

-- name (and every alias) -> entry
docs.index = {}
for _, e in ipairs(docs.entries) do
  for _, n in ipairs(docs.names(e)) do docs.index[n] = e end
end

local display_width, wrap = util.display_width, util.wrap
docs.wrap = wrap

-- The text of one entry in the current language (attnlab.i18n), as help()
-- prints it and reference.md / reference.zh.md hold it (markdown = true
-- gives headings, tables and code blocks).
function docs.render(e, markdown)
  local zh = i18n.zh()
  local function tr(en, cn) return zh and cn or en end
  local function field(key) return i18n.field(e, key) end
  local out = {}
  local function add(s) out[#out + 1] = s end
  local function option_lines(list, heading)
    add("")
    if markdown then
      add(heading)
      add("")
      add(tr("| option | default | meaning |", "| 选项 | 默认值 | 含义 |"))
      add("|---|---|---|")
      for _, o in ipairs(list) do
        add(string.format("| `%s` | `%s` | %s |", o[1], o[2], zh and o[4] or o[3]))
      end
    else
      add(heading)
      for _, o in ipairs(list) do
        local line = string.format("  %-22s = %s", o[1], o[2])
        add(string.format("%-50s %s", line, zh and o[4] or o[3]))
      end
    end
  end
  if markdown then
    add("### `" .. e.name .. "`")
    add("")
    add("`" .. e.signature .. "`")
    add("")
    add(field("computes"))
  else
    add(e.signature)
    add(wrap(field("computes"), 78, "  "))
  end
  if e.aliases and #e.aliases > 0 then
    add("")
    if markdown then
      add(tr("**Also:** `", "**也适用于**：`") .. table.concat(e.aliases, "`, `") .. "`")
    else
      add(tr("Also: ", "也适用于：") .. table.concat(e.aliases, ", "))
    end
  end
  if e.options and #e.options > 0 then
    option_lines(e.options, markdown and tr("**Options:**", "**选项**：") or tr("Options:", "选项："))
  end
  if e.call_options and #e.call_options > 0 then
    option_lines(e.call_options, markdown and tr("**Call options:**", "**调用选项**：")
                                 or tr("Call options:", "调用选项："))
  end
  if e.shapes then
    add("")
    add((markdown and tr("**Shapes:** ", "**形状**：") or tr("Shapes: ", "形状："))
        .. field("shapes"))
  end
  if e.keras then
    if markdown then
      add("")
      add(tr("**Keras:** `", "**Keras**：`") .. e.keras .. "`")
    else
      add(tr("Keras:  ", "Keras：") .. e.keras)
    end
  end
  if e.example then
    add("")
    local needs = e.needs and field("needs")
    if markdown then
      if needs then add(tr("*Needs ", "*需要 ") .. needs .. tr(".*", "。*")); add("") end
      add("```lua")
      add(e.example)
      add("```")
    else
      if needs then
        add(tr("Example (needs ", "示例（需要 ") .. needs .. tr("):", "）："))
      else
        add(tr("Example:", "示例："))
      end
      for l in (e.example .. "\n"):gmatch("(.-)\n") do add("  " .. l) end
    end
  end
  return table.concat(out, "\n")
end

return docs
