"""Microsoft Entra Connect Health, read through Azure Resource Manager: every export error
Entra Connect reports, with both sides of a conflict, the last export and active alerts."""
