"""``syncdash collect-script``: the PowerShell an admin runs on the Entra Connect server
to produce the files ``syncdash import`` reads.

It only reads the server's state: csexport and the ADSync cmdlets read the connector
spaces and the scheduler. The one exception is named in the script: single-object sync
(run only for objects the admin lists) imports and synchronizes the object on the
server, and is run with ``-StagingMode`` so nothing is exported to Entra ID or AD.
Values the admin gives (DNs) enter the script only as single-quoted PowerShell strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from syncdash.anchors import ENTRA_CONNECTOR_ID
from syncdash.diagnose.powershell import ps_string

_HEAD = """\
# syncdash collect-script: the Connect server's evidence for syncdash, into one folder.
# Generated {generated} by syncdash {version}.
#
# Run it on the Entra Connect server (2.x), in Windows PowerShell 5.1 as an administrator
# (a member of ADSyncAdmins). It reads the sync engine's state and writes files into
# the folder below and nowhere else; nothing is changed in AD or Entra ID. Only the
# single-object syncs of step 5 (present when objects were named) touch the server's own
# database: they import and synchronize those objects there, and export nothing.
# Then copy the folder to the machine syncdash runs on and run:
#     syncdash import <folder>
#Requires -Version 5.1
param([string]$Folder = (Join-Path $env:TEMP ("syncdash-evidence-" + (Get-Date -Format "yyyyMMdd-HHmmss"))))
$ErrorActionPreference = "Stop"
Import-Module ADSync
New-Item -ItemType Directory -Path $Folder -Force | Out-Null
$Bin = Join-Path $env:ProgramFiles "Microsoft Azure AD Sync\\Bin"
$EntraConnectorId = "{entra_connector_id}"
function Save-Json($Value, $Name) {{
    # -Depth 8: the default (2) silently turns attribute values into "System.Object[]"
    $Value | ConvertTo-Json -Depth 8 | Out-File -FilePath (Join-Path $Folder $Name) -Encoding utf8
}}
function Get-FileName($Name) {{ ($Name -replace '[^A-Za-z0-9.-]', '_') }}

# 1. The connectors: the AD connector(s) and the Entra connector.
$Connectors = Get-ADSyncConnector
$AdConnectors = @($Connectors | Where-Object {{ $_.ConnectorTypeName -eq "AD" }})
$EntraConnector = $Connectors | Where-Object {{ $_.Identifier -eq $EntraConnectorId }}

# 2. Each connector space, whole (csexport.exe, read-only): the objects, their join state,
#    pending exports and export/import errors. A large directory gives a large file;
#    syncdash reads it as a stream.
foreach ($Connector in @($AdConnectors + $EntraConnector)) {{
    $Out = Join-Path $Folder ("csexport-" + (Get-FileName $Connector.Name) + ".xml")
    & (Join-Path $Bin "csexport.exe") $Connector.Name $Out | Out-Null
    if ($LASTEXITCODE -ne 0) {{ Write-Warning "csexport failed for $($Connector.Name) (exit $LASTEXITCODE)" }}
}}

# 3. The scheduler: is a sync cycle enabled, is this server in staging mode, the next run;
#    and the last run profile that ran (Get-ADSyncRunProfileResult), with its result.
$Scheduler = Get-ADSyncScheduler
$LastRun = Get-ADSyncRunProfileResult -NumberRequested 1 | Select-Object -First 1
Save-Json ([pscustomobject]@{{
    SyncCycleEnabled = $Scheduler.SyncCycleEnabled
    StagingModeEnabled = $Scheduler.StagingModeEnabled
    SchedulerSuspended = $Scheduler.SchedulerSuspended
    SyncCycleInProgress = $Scheduler.SyncCycleInProgress
    MaintenanceEnabled = $Scheduler.MaintenanceEnabled
    NextSyncCyclePolicyType = [string]$Scheduler.NextSyncCyclePolicyType
    NextSyncCycleStartTimeInUTC = $Scheduler.NextSyncCycleStartTimeInUTC.ToString("o")
    CurrentlyEffectiveSyncCycleInterval = [string]$Scheduler.CurrentlyEffectiveSyncCycleInterval
    LastRunStartTimeInUTC = if ($LastRun) {{ $LastRun.StartDate.ToUniversalTime().ToString("o") }} else {{ $null }}
    LastRunProfile = if ($LastRun) {{ "$($LastRun.ConnectorName) $($LastRun.RunProfileName)" }} else {{ $null }}
    LastRunResult = if ($LastRun) {{ [string]$LastRun.Result }} else {{ $null }}
}}) "scheduler.json"

# 4. The Entra connector's disconnectors (ADSyncTools): cloud objects no AD object joins.
if (Get-Module -ListAvailable -Name ADSyncTools) {{
    Import-Module ADSyncTools
    Push-Location $Folder
    try {{ Export-ADSyncToolsAadDisconnectors }}
    catch {{ Write-Warning "Export-ADSyncToolsAadDisconnectors failed: $_" }}
    finally {{ Pop-Location }}
}} else {{
    Write-Warning "ADSyncTools is not installed (Install-Module ADSyncTools): no disconnector list"
}}
"""

_OBJECTS = """
# 5. The objects asked about: each one's AD connector-space object and, through its
#    metaverse object, its Entra connector object — with their lineage and export error,
#    the conflicting cloud object's id among it (Get-ADSyncCSObject) — and the server's
#    own single-object sync of it.
#    Single-object sync imports and synchronizes the object on this server; -StagingMode
#    keeps it from exporting anything. -NoHtmlReport: no report file beside the JSON.
Import-Module (Join-Path $Bin "ADSyncDiagnostics\\ADSyncDiagnostics.psm1")
$Objects = @(
{objects}
)
$Number = 0
foreach ($Dn in $Objects) {{
    $Number++
    foreach ($Connector in $AdConnectors) {{
        $CsObject = Get-ADSyncCSObject -ConnectorName $Connector.Name -DistinguishedName $Dn -ErrorAction SilentlyContinue
        if (-not $CsObject) {{ continue }}
        Save-Json $CsObject ("cs-object-$Number-" + (Get-FileName $Connector.Name) + ".json")
        if ($CsObject.ConnectedMVObjectId -eq [guid]::Empty) {{ continue }}
        $MvObject = Get-ADSyncMVObject -Identifier $CsObject.ConnectedMVObjectId
        foreach ($Link in @($MvObject.Lineage | Where-Object {{ $_.ConnectorId -eq $EntraConnectorId }})) {{
            $EntraObject = Get-ADSyncCSObject -ConnectorIdentifier $EntraConnectorId `
                -DistinguishedName $Link.ConnectedCsObjectDN -ErrorAction SilentlyContinue
            if ($EntraObject) {{ Save-Json $EntraObject ("cs-object-$Number-entra.json") }}
        }}
    }}
    Invoke-ADSyncSingleObjectSync -DistinguishedName $Dn -StagingMode -NoHtmlReport |
        Select-Object -Last 1 | Out-File -FilePath (Join-Path $Folder "single-object-sync-$Number.json") -Encoding utf8
}}
"""

_TAIL = """
Write-Host "syncdash evidence written to $Folder"
Get-ChildItem $Folder | Format-Table Name, Length, LastWriteTime
"""


class BadObjectName(ValueError):
    """A DN that cannot be put into the script (a control character)."""


def collect_script(objects: Sequence[str], generated: datetime, version: str) -> str:
    """The script, with single-object sync for ``objects`` (DNs) when any are given."""
    for dn in objects:
        if not dn.strip() or any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029"
                                 for char in dn):
            raise BadObjectName(f"not a DN for the collect script: {dn!r}")
    script = _HEAD.format(generated=generated.strftime("%Y-%m-%d %H:%M UTC"), version=version,
                          entra_connector_id=ENTRA_CONNECTOR_ID)
    if objects:
        script += _OBJECTS.format(objects=",\n".join(f"    {ps_string(dn)}" for dn in objects))
    return script + _TAIL
