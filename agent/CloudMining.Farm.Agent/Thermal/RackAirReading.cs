using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>One pass over the rack's air sensors: the hottest inlet and exhaust that could be read, and the sensors that could not.</summary>
public sealed record RackAirReading(Temperature? Inlet, Temperature? Exhaust, IReadOnlyList<string> LostSensors, DateTimeOffset At)
{
    public static RackAirReading None(DateTimeOffset at) => new(null, null, [], at);
}
