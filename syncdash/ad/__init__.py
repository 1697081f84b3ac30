"""On-premises Active Directory: read live over LDAPS, or from ldifde/csvde exports."""
