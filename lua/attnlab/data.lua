-- attnlab.data: (being written)
return {}
