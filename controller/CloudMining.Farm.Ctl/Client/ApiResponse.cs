namespace CloudMining.Farm.Ctl.Client;

/// <summary>A decoded API answer with the JSON it came from, so --json can print exactly what the controller said.</summary>
public sealed record ApiResponse<T>(T Value, string Json);
