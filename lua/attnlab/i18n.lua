-- attnlab.i18n: which language attnlab speaks, English or Chinese.
--
-- The language comes from ATTNLAB_LANG ("en" or "zh"), else from the
-- locale (LC_ALL, then LC_MESSAGES, then LANG: "zh_CN.UTF-8" gives "zh"),
-- else English. `:lang zh` at the prompt and i18n.set("zh") change it for
-- the session. Text that exists in both languages is written next to each
-- other (text = "...", text_zh = "..."); i18n.field picks one.
local I = {}

local known = { en = true, zh = true }

-- "zh_CN.UTF-8", "zh_TW", "zh" -> "zh"; "en_US.UTF-8", "C", "" -> "en"
local function from_locale(v)
  if type(v) ~= "string" or v == "" then return nil end
  if v:lower():match("^zh") then return "zh" end
  return "en"
end

function I.detect()
  local env = os.getenv("ATTNLAB_LANG")
  if env and env ~= "" then
    env = env:lower():match("^(%a%a)")
    if known[env] then return env end
  end
  for _, var in ipairs { "LC_ALL", "LC_MESSAGES", "LANG" } do
    local l = from_locale(os.getenv(var))
    if l then return l end
  end
  return "en"
end

I.lang = I.detect()

-- Sets the language: "en" or "zh" (an error for anything else).
function I.set(lang)
  if type(lang) ~= "string" or not known[lang:lower()] then
    error(string.format("lang: 'en' or 'zh', got %s", tostring(lang)), 2)
  end
  I.lang = lang:lower()
  return I.lang
end

function I.zh() return I.lang == "zh" end

-- tr("Epoch %d/%d", "第 %d/%d 轮", ...): the text of the current language,
-- formatted when arguments follow.
function I.tr(en, zh, ...)
  local s = (I.lang == "zh" and zh) or en
  if select("#", ...) > 0 then return string.format(s, ...) end
  return s
end

-- field(t, "text"): t.text_zh in Chinese (when present), else t.text.
function I.field(t, key)
  if I.lang == "zh" then
    local v = t[key .. "_zh"]
    if v ~= nil then return v end
  end
  return t[key]
end

return I
