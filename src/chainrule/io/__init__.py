"""Saving and loading: state dicts as safetensors files (no pickle), written atomically."""
from chainrule.io.serialization import FORMAT_VERSION, ModelFileError, load, save

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "save"]
