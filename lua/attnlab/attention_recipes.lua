-- attnlab.attention_recipes: (being written)
return function(nn) -- luacheck: ignore nn
end
