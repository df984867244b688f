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

-- the columns a UTF-8 string takes in a terminal (CJK characters take 2)
function util.display_width(s)
  local w = 0
  for _, c in utf8.codes(s) do
    w = w + ((c >= 0x1100 and (c <= 0x115F or (c >= 0x2E80 and c <= 0xA4CF)
              or (c >= 0xAC00 and c <= 0xD7A3) or (c >= 0xF900 and c <= 0xFAFF)
              or (c >= 0xFE30 and c <= 0xFE4F) or (c >= 0xFF00 and c <= 0xFF60)
              or (c >= 0xFFE0 and c <= 0xFFE6))) and 2 or 1)
  end
  return w
end

-- full-width punctuation that must not start a line
local no_line_start = { ["，"] = true, ["。"] = true, ["、"] = true, ["；"] = true,
                        ["："] = true, ["？"] = true, ["！"] = true, ["）"] = true,
                        ["”"] = true }

-- text cut into lines of at most `width` columns, each starting with
-- `indent`: at spaces, and between CJK characters (a Chinese sentence has
-- no spaces), never before a closing full-width punctuation mark.
function util.wrap(text, width, indent)
  -- the pieces a line may end after: words with their following space,
  -- and single CJK characters
  local pieces = {}
  for word, space in text:gmatch("(%S+)(%s*)") do
    local chunk = ""
    for _, c in utf8.codes(word) do
      local ch = utf8.char(c)
      if util.display_width(ch) == 2 then
        if chunk ~= "" then pieces[#pieces + 1] = chunk; chunk = "" end
        if no_line_start[ch] and #pieces > 0 then
          pieces[#pieces] = pieces[#pieces] .. ch
        else
          pieces[#pieces + 1] = ch
        end
      else
        chunk = chunk .. ch
      end
    end
    if chunk ~= "" then pieces[#pieces + 1] = chunk end
    if space ~= "" and #pieces > 0 then pieces[#pieces] = pieces[#pieces] .. " " end
  end
  local lines, line = {}, ""
  for _, p in ipairs(pieces) do
    local trimmed = (line .. p):gsub(" +$", "")
    if line ~= "" and util.display_width(indent .. trimmed) > width then
      lines[#lines + 1] = indent .. line:gsub(" +$", "")
      line = p
    else
      line = line .. p
    end
  end
  if line ~= "" then lines[#lines + 1] = indent .. line:gsub(" +$", "") end
  return table.concat(lines, "\n")
end

return util
