"""Network architectures (PyTorch).

The submodules import :mod:`torch`; this package ``__init__`` does not, so that
``import filmrestore_models.archs`` stays cheap.  Import the classes from their modules:

- :mod:`filmrestore_models.archs.rrdbnet` -- :class:`~filmrestore_models.archs.rrdbnet.RRDBNet`
- :mod:`filmrestore_models.archs.srvgg` -- :class:`~filmrestore_models.archs.srvgg.SRVGGNetCompact`
- :mod:`filmrestore_models.archs.discriminator` --
  :class:`~filmrestore_models.archs.discriminator.UNetDiscriminatorSN`
- :mod:`filmrestore_models.archs.temporal` -- flow warping and the temporal consistency module
- :mod:`filmrestore_models.archs.temporal_realesrgan` --
  :class:`~filmrestore_models.archs.temporal_realesrgan.TemporalRealESRGAN`
"""
