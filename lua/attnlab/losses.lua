-- attnlab.losses: (being written)
return {}
