-- attnlab: loads the libraries and sets the globals of scripts and the
-- prompt: tensor, nn, viz, data, and None (Keras's unknown size). Reading
-- True, np, keras and the like, which Python code has and Lua does not,
-- raises an error saying what Lua writes (attnlab.hints).
local tensor = require "attnlab.tensor"
local nn = require "attnlab.layers"

_G.tensor = tensor
_G.nn = nn
_G.viz = require "attnlab.viz"
_G.data = require "attnlab.data"
_G.None = tensor.None

-- help(), help(nn.GRU), help "Bidirectional": the docstrings of
-- lua/attnlab/docs.lua (loaded on first use)
_G.help = function(...) return require("attnlab.repl").help(...) end

require("attnlab.hints").install(_G)

return { tensor = tensor, nn = nn, version = "0.1.0" }
