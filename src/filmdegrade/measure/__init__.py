"""Measurements of real or simulated footage: one module per statistic.

Shared by the tests, the documentation gallery and :mod:`filmdegrade.calibrate`.
"""
