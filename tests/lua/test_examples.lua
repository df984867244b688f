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
                                    "Hint: for query-key scores use axes={2, 2}" },
  ["recipe3_attention_pooling.lua"] = { "symbolic\t(None, 6, 8)\t(None, 6)\t(None, 2)",
                                        "0.0000 0.0000]]" },
  ["train_needle.lua"] = { "Total params:", "Epoch 6/6", "held-out accuracy 1.000",
                           "mean attention at the key: 0." },
  ["heatmap_needle.lua"] = { "final val_accuracy 1.000", "wrote needle_attention.png",
                            "s0 key@10", "wrote needle_first8.png, needle_history.png" },
  ["recipe4_self_attention.lua"] = { "h (None, 10, 128) -> self-attention (None, 10, 64)",
                                     "kernel\t(3, 128, 64)" },
}

for name, wants in pairs(expectations) do
  t.test("examples/" .. name .. " runs and prints its shapes", function()
    local out = run(name)
    for _, w in ipairs(wants) do
      t.truthy(out:find(w, 1, true), name .. ": missing " .. w .. " in:\n" .. out)
    end
  end)
end

t.done()
