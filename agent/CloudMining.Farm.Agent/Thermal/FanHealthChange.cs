namespace CloudMining.Farm.Agent.Thermal;

/// <summary>What one tachometer reading changed about a fan group's health.</summary>
public enum FanHealthChange
{
    None,

    /// <summary>The group has read too slow for too many reads while driven hard: raise fan-failed.</summary>
    Failed,

    /// <summary>A failed group spins at or above its minimum again: raise fan-recovered.</summary>
    Recovered,
}
