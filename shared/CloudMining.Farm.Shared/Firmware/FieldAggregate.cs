namespace CloudMining.Farm.Shared.Firmware;

/// <summary>How a total is formed from several module strings.</summary>
internal enum FieldAggregate
{
    First,
    Sum,
    Max,
}
