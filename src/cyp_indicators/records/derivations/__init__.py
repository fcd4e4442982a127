"""The registered derivations, one module per area. Importing this package registers them all."""

from . import children_in_need, looked_after

__all__ = ["children_in_need", "looked_after"]
