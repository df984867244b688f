-- test_examples.lua - every script in examples/ runs to the end and prints
-- what its comments promise (so the examples learners run cannot rot).
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local exe = os.getenv("ATTNLAB") or arg[-1]
local examples = dir .. "/../../examples/"

local function run(name)
  local p = io.popen(string.format("'%s' '%s' 2>&1; echo \"exit=$?\"", exe, examples .. name))
  local out = p:read("a")
  p:close()
  t.truthy(out:find("exit=0\n", 1, true), name .. " failed:\n" .. out)
  return out
end

local expectations = {
  ["dense_intro.lua"] = { "maps\t(2, 5, 4)\tto\t(2, 5, 3)", "<Input shape=(None, 64, 32)>" },
  ["recipe1_time_attention.lua"] = { "output     (None, 64, 128)", "time_last  (None, 128, 64)",
                                     "out        (None, 128)", "out        (2, 128)",
                                     "map (128, 64), row sums in [1.000000, 1.000000]" },
  ["recipe2_dot_attention.lua"] = { "scores   (None, 20, 20)", "out      (2, 64)",
                                    "The tutorial's Dot(axes=(2, 1)) when T ~= U / T ~= U 时教程写法的报错：\n"
                                      .. "  Dot 'dot_2': Incompatible input shapes: axis values 32 (at axis 2) "
                                      .. "!= 20 (at axis 1).",
                                    "Hint: for query-key scores use axes={2, 2}\n" },
  ["recipe3_attention_pooling.lua"] = { "symbolic\t(None, 6, 8)\t(None, 6)\t(None, 2)",
                                        "0.0000 0.0000]]" },
  ["train_needle.lua"] = { "Total params:", "Epoch 6/6", "held-out accuracy 1.000",
                           "mean attention at the key: 0." },
  ["heatmap_needle.lua"] = { "final val_accuracy 1.000", "wrote needle_attention.png",
                            "s0 key@10", "wrote needle_first8.png, needle_history.png" },
  ["recipe4_self_attention.lua"] = { "h (None, 10, 128) -> self-attention (None, 10, 64)",
                                     "kernel\t(3, 128, 64)" },
}

t.test("examples/recipe2_dot_attention.lua prints the error message, not pcall's raw results", function()
  local out = run("recipe2_dot_attention.lua")
  t.truthy(not out:find("false\t", 1, true), out)
  t.truthy(not out:find("recipe2_dot_attention.lua:%d+:"), "no file:line in front of the message:\n" .. out)
end)

for name, wants in pairs(expectations) do
  t.test("examples/" .. name .. " runs and prints its shapes", function()
    local out = run(name)
    for _, w in ipairs(wants) do
      t.truthy(out:find(w, 1, true), name .. ": missing " .. w .. " in:\n" .. out)
    end
  end)
end

-- The main example (README's Quick start) runs in a fresh directory, so the
-- absolute paths it prints can be checked. Under ATTNLAB_FAST=1 (make
-- check) it trains on a few samples for one epoch: the pipeline and the
-- files are checked, not the accuracy; without it, the accuracy too.
t.test("examples/bigru_attention.lua prints every shape, trains, and writes two PNGs", function()
  local p = io.popen("mktemp -d")
  local work = p:read("l")
  p:close()
  t.truthy(work and work:sub(1, 1) == "/", "mktemp -d")
  local script = examples .. "bigru_attention.lua"
  if script:sub(1, 1) ~= "/" then script = os.getenv("PWD") .. "/" .. script end
  p = io.popen(string.format("cd '%s' && '%s' '%s' 2>&1; echo \"exit=$?\"", work, exe, script))
  local out = p:read("a")
  p:close()
  t.truthy(out:find("exit=0\n", 1, true), "bigru_attention.lua failed:\n" .. out)
  local wants = {
    "inputs     (None, 20)\n", "embedded   (None, 20, 16)\n",
    "output     (None, 20, 128)\noutput     (None, 20, 128)\n",
    "time_last  (None, 128, 20)\n", "att_1      (None, 128, 20)\n", "att_2      (None, 128, 20)\n",
    "time_att   (None, 128, 20)\n", "out        (None, 128)\n", "probs      (None, 10)\n",
    "│ bidirectional_1               │ (None, 20, 128)          │      74,496 │",
    "Total params: 108,286 (422.99 KB)", "Epoch 1/", "/step - accuracy: ",
    "<mark>", "wrote " .. work .. "/attention.png\n", "wrote " .. work .. "/training.png\n",
  }
  for _, w in ipairs(wants) do
    t.truthy(out:find(w, 1, true), "bigru_attention.lua: missing " .. w .. " in:\n" .. out)
  end
  local accuracy = tonumber(out:match("\nheld%-out accuracy (%d%.%d%d%d)\n"))
  t.truthy(accuracy and accuracy >= 0 and accuracy <= 1, "no line 'held-out accuracy 0.xyz' in:\n" .. out)
  if os.getenv("ATTNLAB_FAST") ~= "1" then
    t.truthy(accuracy >= 0.95, "held-out accuracy " .. accuracy)
  end
  for _, name in ipairs { "attention.png", "training.png" } do
    local f = io.open(work .. "/" .. name, "rb")
    t.truthy(f, name .. " was not written in " .. work)
    local head = f:read(8)
    f:close()
    t.eq(head, "\137PNG\r\n\26\n", name .. " starts as a PNG")
    os.remove(work .. "/" .. name)
  end
  os.remove(work)
end)

t.done()
