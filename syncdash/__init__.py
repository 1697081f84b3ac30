"""syncdash: a terminal dashboard for Microsoft Entra Connect directory-sync errors."""

__version__ = "0.1.0"
