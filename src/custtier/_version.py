"""The package version, read by the build backend and by ``custtier.__version__``."""

__version__ = "0.2.0.dev0"
