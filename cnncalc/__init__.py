"""cnncalc: exact CNN shape, parameter and MAC calculator, with one-command MNIST training."""

__version__ = "0.1.0"
