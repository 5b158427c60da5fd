using System.Text.Json.Serialization;

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>Source-generated JSON of the curtailment signals; depth limited (a signal is flat).</summary>
[JsonSourceGenerationOptions(MaxDepth = 4, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EnergyPriceMessage))]
[JsonSerializable(typeof(DemandResponseMessage))]
internal sealed partial class SignalJsonContext : JsonSerializerContext;
