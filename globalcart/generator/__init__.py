"""Synthetic store generator: realistic, deterministic landing files for the warehouse."""

from globalcart.generator.core import generate
from globalcart.generator.params import SCALES, GenerateParams, ParameterError

__all__ = ["SCALES", "GenerateParams", "ParameterError", "generate"]
