namespace CloudMining.Farm.Agent.Thermal;

/// <summary>Where a rack air sensor sits: cold air coming in, or hot air the miners blow out.</summary>
public enum SensorPosition
{
    Inlet,
    Exhaust,
}
