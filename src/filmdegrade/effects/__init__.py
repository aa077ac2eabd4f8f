"""Effects: one module per physical phenomenon, each with pure kernels and a Transform.

Importing this package registers every built-in transform by name (see
:func:`filmdegrade.effects.base.get_transform_class`).
"""

from filmdegrade.effects.base import TRANSFORMS, ClipContext, Transform, get_transform_class

__all__ = ["TRANSFORMS", "ClipContext", "Transform", "get_transform_class"]
