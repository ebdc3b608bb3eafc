"""dllicense: licence and dependency compliance for Python projects that ship deep learning code."""

__version__ = "0.1.0"
