namespace CloudMining.Farm.Simulator.Control;

/// <summary>Body of POST /miners/{id}/fault: {"kind":"slow","delayMs":3000} / {"kind":"board-lost","board":1} / {"kind":"hashrate-drop","percent":60}.</summary>
public sealed record FaultRequest(string? Kind, int? DelayMs = null, double? Percent = null, int? Board = null);
