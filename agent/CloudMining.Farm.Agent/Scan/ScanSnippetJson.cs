using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Scan;

/// <summary>Source-generated string escaping for the --emit-config snippet.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class ScanSnippetJson : JsonSerializerContext;
