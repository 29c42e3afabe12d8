"""The PyTorch and Keras layer classes cnncalc reads: their signatures, defaults and what each
binds to. The spec parser and the code readers both use them."""
