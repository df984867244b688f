-- attnlab.optimizers: (being written)
return {}
