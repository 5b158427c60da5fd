using System.Text.Json.Serialization;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>Source-generated JSON for the few values the pool adapters write into request bodies.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class PoolSideJsonContext : JsonSerializerContext;
