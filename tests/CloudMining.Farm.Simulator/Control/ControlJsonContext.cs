using System.Text.Json;
using System.Text.Json.Serialization;
using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Simulator.Control;

/// <summary>Source-generated JSON for the control API and the manifest.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(MinerInfo))]
[JsonSerializable(typeof(List<MinerInfo>))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(PowerRequest))]
[JsonSerializable(typeof(AmbientRequest))]
[JsonSerializable(typeof(PoolAliveRequest))]
[JsonSerializable(typeof(PoolDifficultyRequest))]
[JsonSerializable(typeof(ControlError))]
[JsonSerializable(typeof(FarmManifest))]
[JsonSerializable(typeof(List<PoolAccountView>))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
