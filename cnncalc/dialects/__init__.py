"""The dialects cnncalc reads besides its own: PyTorch and Keras classes, and pasted code."""
