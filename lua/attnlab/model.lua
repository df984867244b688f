-- attnlab.model: (being written)
return function(nn) -- luacheck: ignore nn
end
