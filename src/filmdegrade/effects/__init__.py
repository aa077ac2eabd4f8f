"""Effects: one module per physical phenomenon, each with pure kernels and a Transform.

Importing this package registers every built-in transform by its name (see
:func:`filmdegrade.effects.base.get_transform_class`).

============  ============================  =========================================================
name          class                         phenomenon (module)
============  ============================  =========================================================
sensitivity   :class:`SpectralSensitivity`  B&W emulsion's response to scene colour (``sensitivity``)
grain         :class:`Grain`                silver / dye-cloud grain in optical density (``grain``)
scratches     :class:`Scratches`            line scratches along the film path (``scratches``)
dust          :class:`Dust`                 dust, dirt and hair (``dust``)
flicker       :class:`Flicker`              per-frame exposure fluctuation (``flicker``)
weave         :class:`GateWeave`            gate weave (``weave``)
optics        :class:`Optics`               lens/printer softness, halation, vignetting (``optics``)
fading        :class:`Fading`               dye fading, physical and CIELAB modes (``fading``)
tape          :class:`Tape`                 VHS/S-VHS/Betamax/Video8 signal chain (``tape``)
dv            :class:`DV`                   DV compression through FFmpeg (``dv``)
codec         :class:`Codec`                MPEG-2/H.264 transfer compression (``dv``)
============  ============================  =========================================================
"""

from filmdegrade.effects.base import TRANSFORMS, ClipContext, Transform, get_transform_class
from filmdegrade.effects.dust import Dust
from filmdegrade.effects.dv import DV, Codec
from filmdegrade.effects.fading import Fading
from filmdegrade.effects.flicker import Flicker
from filmdegrade.effects.grain import Grain
from filmdegrade.effects.optics import Optics
from filmdegrade.effects.scratches import Scratches
from filmdegrade.effects.sensitivity import SpectralSensitivity
from filmdegrade.effects.tape import Tape
from filmdegrade.effects.weave import GateWeave

__all__ = [
    "DV",
    "TRANSFORMS",
    "ClipContext",
    "Codec",
    "Dust",
    "Fading",
    "Flicker",
    "GateWeave",
    "Grain",
    "Optics",
    "Scratches",
    "SpectralSensitivity",
    "Tape",
    "Transform",
    "get_transform_class",
]
