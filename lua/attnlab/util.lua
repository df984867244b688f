-- attnlab.util: small helpers shared by the Lua library.
local util = {}

-- Raises msg at the learner's line: the first stack frame outside
-- attnlab's own Lua library (as the C bindings do).
function util.error(msg, ...)
  if select("#", ...) > 0 then msg = string.format(msg, ...) end
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info then level = 2; break end
    if info.what ~= "C" and not info.source:find("/lua/attnlab/", 1, true)
       and info.source:sub(1, 13) ~= "@lua/attnlab/" then
      break
    end
    level = level + 1
  end
  error(msg, level)
end

-- Checks that opts (a table or nil) has only the keys in `known`.
function util.check_options(who, opts, known)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    util.error("%s: options must be a table, got %s", who, type(opts))
  end
  for k in pairs(opts) do
    if not known[k] then
      local names = {}
      for n in pairs(known) do names[#names + 1] = n end
      table.sort(names)
      util.error("%s: unknown option '%s' (known: %s)", who, tostring(k),
                 table.concat(names, ", "))
    end
  end
  return opts
end

-- A value for a message: NaN as "nan" (not glibc's "-nan"), strings
-- quoted, so nn.Dense("3") does not read as if 3 were given.
function util.show(v)
  if type(v) == "number" and v ~= v then return "nan" end
  if type(v) == "string" then return string.format("string %q", v) end
  return tostring(v)
end

function util.is_integer(v)
  return math.type(v) == "integer" or
         (type(v) == "number" and v == math.floor(v) and v == v
          and math.abs(v) < 2^53)
end

function util.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

return util
