"""seccheck: 保密自查自评与专项检查引擎."""

__version__ = "0.1.0"
