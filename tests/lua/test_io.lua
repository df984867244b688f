-- test_io.lua - core.io (safetensors and .npy files) and tensor.save /
-- tensor.load: round trips, files written by NumPy, failures returned as
-- nil and a message like Lua's io library, argument errors raised at the
-- caller's line.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")
local core = require "attnlab.core"

-- a fresh prefix for the files of this run, removed at the end
local base = os.tmpname()
os.remove(base)
local made = {}
local function tmp(name)
  local p = base .. "-" .. name
  made[#made + 1] = p
  return p
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- the same shape and the same values, exactly
local function same(got, want, what)
  t.eq(tostring(got.shape), tostring(want.shape), what)
  t.near(got, want, 0, what)
end

-- np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5)
local NPY_F4_MAT =
  "\147NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shap" ..
  "e': (2, 3), }                                                       " ..
  "   \010\000\000\000\191\000\000\128\190\000\000\000\000\000\000\128>" ..
  "\000\000\000?\000\000@?"
-- np.save(f, np.array([-(2**62), 7], np.int64))
local NPY_I8_VEC =
  "\147NUMPY\001\000v\000{'descr': '<i8', 'fortran_order': False, 'shap" ..
  "e': (2,), }                                                         " ..
  "   \010\000\000\000\000\000\000\000\192\007\000\000\000\000\000\000" ..
  "\000"

local MAT = { { -0.5, -0.25, 0 }, { 0.25, 0.5, 0.75 } }

-- ---- safetensors -----------------------------------------------------------

t.test("save_safetensors and load_safetensors round trip", function()
  local path = tmp("model.safetensors")
  local w = tensor.from(MAT)
  local b = tensor.from({ 0.1, -1e30, 3 })
  local s = tensor.from(42)
  local e = tensor.zeros(2, 0, 3)
  t.eq(core.io.save_safetensors(path, { "w", "b", "s", "e" }, { w, b, s, e },
                                { format = "pt", epoch = 3 }), true)
  local names, tensors, meta = core.io.load_safetensors(path)
  -- in the order of the data: sorted by name
  t.eq(table.concat(names, " "), "b e s w")
  t.eq(#tensors, 4)
  same(tensors[1], b, "b")
  same(tensors[2], e, "e")
  same(tensors[3], s, "s")
  t.eq(tensors[3].ndim, 0)
  same(tensors[4], w, "w")
  -- metadata values are strings; a number was converted
  t.eq(meta.format, "pt")
  t.eq(meta.epoch, "3")
  -- the loaded tensors are ordinary tensors
  t.near(tensors[4] + 1, { { 0.5, 0.75, 1 }, { 1.25, 1.5, 1.75 } }, 0)
  t.eq(tensors[4].requires_grad, false)
end)

t.test("a file without tensors or metadata", function()
  local path = tmp("empty.safetensors")
  t.eq(core.io.save_safetensors(path, {}, {}), true)
  t.eq(read(path), "\8\0\0\0\0\0\0\0{}      ")
  local names, tensors, meta = core.io.load_safetensors(path)
  t.eq(#names, 0)
  t.eq(#tensors, 0)
  t.eq(next(meta), nil)
end)

t.test("the exact bytes of a small file", function()
  local path = tmp("small.safetensors")
  core.io.save_safetensors(path, { "b", "a" },
                           { tensor.from({ 1, 2 }), tensor.from(-0.5) },
                           { format = "pt" })
  local header = '{"__metadata__":{"format":"pt"},' ..
      '"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' ..
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}      '
  t.eq(#header, 144)
  t.eq(read(path), "\144\0\0\0\0\0\0\0" .. header ..
                   "\0\0\0\191" .. "\0\0\128\63\0\0\0\64")
end)

t.test("damaged files give nil and a message naming the file", function()
  local path = tmp("bad.safetensors")
  local good = tmp("good.safetensors")
  core.io.save_safetensors(good, { "w" }, { tensor.ones(2, 2) })
  local bytes = read(good)
  write(path, bytes:sub(1, #bytes - 1))
  local a, msg = core.io.load_safetensors(path)
  t.eq(a, nil)
  t.eq(msg, path .. ": truncated safetensors file: the header describes 16 " ..
            "bytes of data but only 15 are there")
  write(path, bytes:gsub("F32", "F16"))
  a, msg = core.io.load_safetensors(path)
  t.eq(a, nil)
  t.eq(msg, path .. ": tensor 'w' has dtype F16; attnlab stores float32 and " ..
            "reads only F32 tensors (convert it before saving, e.g. with " ..
            ".float() in PyTorch)")
  write(path, "\4\0\0\0\0\0\0\0{\"a\"")
  a, msg = core.io.load_safetensors(path)
  t.eq(a, nil)
  t.eq(msg, path .. ": invalid safetensors header: bad JSON at byte 4 of " ..
            "the header: ':' expected near end of file")
end)

t.test("a missing file or directory gives nil and the system's message", function()
  local path = tmp("missing.safetensors")
  local a, msg = core.io.load_safetensors(path)
  t.eq(a, nil)
  t.eq(msg, path .. ": No such file or directory")
  local nowhere = tmp("no-such-dir") .. "/x.safetensors"
  a, msg = core.io.save_safetensors(nowhere, { "w" }, { tensor.ones(2) })
  t.eq(a, nil)
  t.eq(msg, nowhere .. ": No such file or directory")
  t.eq(exists(nowhere), false)
end)

t.test("a file too big for the memory limit gives nil and a message", function()
  local path = tmp("big.safetensors")
  core.io.save_safetensors(path, { "a", "big" },
                           { tensor.ones(2), tensor.zeros(100000) })
  local npy = tmp("big.npy")
  core.io.save_npy(npy, tensor.zeros(100000))
  collectgarbage()
  local used, limit = tensor.memory()
  tensor.set_memory_limit(used + 100000)
  local a, msg = core.io.load_safetensors(path)
  local b, msg2 = core.io.load_npy(npy)
  tensor.set_memory_limit(limit)
  t.eq(a, nil)
  t.truthy(msg:find(path .. ": tensor 'big': a tensor of shape (100000,) " ..
                    "would need 400000 bytes, more than the memory limit", 1,
                    true), msg)
  t.eq(b, nil)
  t.truthy(msg2:find(npy .. ": a tensor of shape (100000,) would need " ..
                     "400000 bytes, more than the memory limit", 1, true), msg2)
  -- and nothing of the failed loads stays in use
  collectgarbage()
  t.eq(tensor.memory(), used)
  t.eq(#core.io.load_safetensors(path), 2)
end)

t.test("save_safetensors raises on wrong arguments, at the caller's line", function()
  local path = tmp("args.safetensors")
  local x = tensor.ones(2)
  local err = t.raises(function() core.io.save_safetensors(1, {}, {}) end,
                       "save_safetensors: the path must be a string, got number")
  t.truthy(err:find("test_io.lua:%d+: "), err)
  t.raises(function() core.io.save_safetensors(path, "w", { x }) end,
           "save_safetensors: names must be a list of strings, got string")
  t.raises(function() core.io.save_safetensors(path, { "w" }, x) end,
           "save_safetensors: tensors must be a list of tensors, got a " ..
           "single tensor (write {x})")
  t.raises(function() core.io.save_safetensors(path, { "w" }, 2) end,
           "save_safetensors: tensors must be a list of tensors, got number")
  t.raises(function() core.io.save_safetensors(path, { "w" }, { x }, "pt") end,
           "save_safetensors: metadata must be a table of strings, got string")
  t.raises(function() core.io.save_safetensors(path, { "w", "b" }, { x }) end,
           "save_safetensors: 2 names but 1 tensors")
  t.raises(function() core.io.save_safetensors(path, { "w", 2 }, { x, x }) end,
           "save_safetensors: names[2] must be a string, got number")
  t.raises(function() core.io.save_safetensors(path, { "w\0b" }, { x }) end,
           "save_safetensors: names[1] contains a zero byte")
  t.raises(function() core.io.save_safetensors(path, { "w" }, { {1, 2} }) end,
           "save_safetensors: tensors[1] must be a tensor, got table")
  t.raises(function() core.io.save_safetensors(path, { "w", "w" }, { x, x }) end,
           "save_safetensors: the name 'w' is used twice")
  t.raises(function()
    core.io.save_safetensors(path, { "w" }, { x }, { [1] = "pt" })
  end, "save_safetensors: metadata keys must be strings, got number")
  t.raises(function()
    core.io.save_safetensors(path, { "w" }, { x }, { format = true })
  end, "save_safetensors: metadata values must be strings, but 'format' is boolean")
  err = t.raises(function()
    core.io.save_safetensors(path, { "x" }, { nn.Input({ 4 }) })
  end, "save_safetensors: tensor 'x' is symbolic (it has a shape (None, 4) " ..
       "but no values)")
  t.truthy(err:find("test_io.lua:%d+: "), err)
  t.eq(exists(path), false)
  t.raises(function() core.io.load_safetensors() end,
           "load_safetensors: the path must be a string, got no value")
end)

-- ---- .npy ---------------------------------------------------------------------

t.test("save_npy writes what numpy.save writes", function()
  local path = tmp("mat.npy")
  t.eq(core.io.save_npy(path, tensor.from(MAT)), true)
  t.eq(read(path), NPY_F4_MAT)
end)

t.test("load_npy reads files written by numpy", function()
  local path = tmp("ref.npy")
  write(path, NPY_F4_MAT)
  same(core.io.load_npy(path), tensor.from(MAT))
  write(path, NPY_I8_VEC)
  same(core.io.load_npy(path), tensor.from({ -4611686018427387904, 7 }))
end)

t.test("save_npy and load_npy round trip any shape", function()
  local path = tmp("x.npy")
  for _, x in ipairs({ tensor.from(3.5), tensor.zeros(0), tensor.zeros(3, 0),
                       tensor.randn(2, 3, 4), tensor.arange(10) }) do
    t.eq(core.io.save_npy(path, x), true)
    same(core.io.load_npy(path), x, tostring(x.shape))
  end
end)

t.test("load_npy and save_npy failures", function()
  local path = tmp("bad.npy")
  write(path, NPY_F4_MAT:sub(1, 100))
  local x, msg = core.io.load_npy(path)
  t.eq(x, nil)
  t.eq(msg, path .. ": truncated .npy file: the header length is 118 bytes " ..
            "but only 90 bytes follow it")
  write(path, NPY_F4_MAT:gsub("False", "True "))
  x, msg = core.io.load_npy(path)
  t.eq(x, nil)
  t.eq(msg, path .. ": the .npy array is stored in Fortran order; attnlab " ..
            "reads only C order (save np.ascontiguousarray(a) instead)")
  x, msg = core.io.load_npy(tmp("missing.npy"))
  t.eq(x, nil)
  t.eq(msg, base .. "-missing.npy: No such file or directory")
  x, msg = core.io.save_npy(tmp("nodir") .. "/x.npy", tensor.ones(2))
  t.eq(x, nil)
  t.eq(msg, base .. "-nodir/x.npy: No such file or directory")
  t.raises(function() core.io.save_npy(path, { 1, 2 }) end,
           "save_npy: the value to save must be a tensor, got table")
  t.raises(function() core.io.save_npy(path, nn.Input({ 4 })) end,
           "save_npy: the tensor is symbolic (it has a shape (None, 4) but no " ..
           "values)")
  t.raises(function() core.io.load_npy(nil) end,
           "load_npy: the path must be a string, got nil")
end)

-- ---- tensor.save and tensor.load ---------------------------------------------

t.test("tensor.save and tensor.load choose the format by the extension", function()
  local x = tensor.from(MAT)
  local npy = tmp("x.npy")
  tensor.save(x, npy)
  t.eq(read(npy), NPY_F4_MAT)
  same(tensor.load(npy), x)
  local upper = tmp("X.NPY")
  tensor.save(x, upper)
  t.eq(read(upper), NPY_F4_MAT)
  local st = tmp("x.safetensors")
  tensor.save(x, st)
  local names = core.io.load_safetensors(st)
  t.eq(names[1], "tensor")
  same(tensor.load(st), x)
end)

t.test("tensor.save and tensor.load raise their errors", function()
  local x = tensor.ones(2)
  local err = t.raises(function() tensor.save(x, tmp("x.txt")) end,
                       "tensor.save: cannot tell the file format of '" ..
                       base .. "-x.txt' from its extension (supported: .npy, " ..
                       ".safetensors)")
  t.truthy(err:find("^[^:]*test_io.lua:%d+: "), err)
  t.raises(function() tensor.load(tmp("weights")) end,
           "tensor.load: cannot tell the file format of '" .. base ..
           "-weights' from its extension (supported: .npy, .safetensors)")
  t.raises(function() tensor.save(x, 3) end,
           "tensor.save: the path must be a string, got number")
  t.raises(function() tensor.save("x", tmp("s.npy")) end,
           "tensor.save: the value to save must be a tensor, got string")
  err = t.raises(function() tensor.load(tmp("missing.npy")) end,
                 base .. "-missing.npy: No such file or directory")
  t.truthy(err:find("^[^:]*test_io.lua:%d+: "), err)
  t.raises(function() tensor.save(x, tmp("nodir") .. "/x.safetensors") end,
           base .. "-nodir/x.safetensors: No such file or directory")
  local two = tmp("two.safetensors")
  core.io.save_safetensors(two, { "w", "b" }, { x, x })
  t.raises(function() tensor.load(two) end,
           "tensor.load: '" .. two .. "' holds 2 tensors (b, w); tensor.load " ..
           "reads a file with exactly one")
end)

for _, p in ipairs(made) do os.remove(p) end
t.done()
