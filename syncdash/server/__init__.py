"""The Entra Connect server's files: csexport XML, the ADSync cmdlets' JSON, ADSyncTools'
CSV — detected by content, read as streams, joined into a :class:`~syncdash.sync_server.ServerIndex`."""
