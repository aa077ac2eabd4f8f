"""Restoration models trained on :mod:`filmdegrade` pairs (temporal Real-ESRGAN)."""

__version__ = "0.1.0"
