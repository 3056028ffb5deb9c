"""The ELT pipeline: load landing files, run SQL models, check quality."""
