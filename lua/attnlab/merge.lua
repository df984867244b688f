-- attnlab.merge: (being written)
return function(nn) -- luacheck: ignore nn
end
