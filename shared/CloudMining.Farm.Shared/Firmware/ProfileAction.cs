namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The changes a firmware profile can describe as API command sequences.</summary>
public enum ProfileAction
{
    AddPool,
    RemovePool,
    SwitchPool,
    EnablePool,
    DisablePool,
    SetPriority,
    SetQuota,
    Restart,
}
