using System.Text.Json.Serialization;

namespace CloudMining.Farm.Controller.Leadership;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LeaderInfo))]
internal sealed partial class LeadershipJsonContext : JsonSerializerContext;
