"""The torch side: build, train, checkpoint and evaluate models. Only this package imports torch."""
