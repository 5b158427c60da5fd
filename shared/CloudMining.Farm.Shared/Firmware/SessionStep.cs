namespace CloudMining.Farm.Shared.Firmware;

/// <summary>A login command whose reply carries a session id used as {session} by privileged steps (LuxOS "logon").</summary>
public sealed record SessionStep(string Command, string? Parameter, string Field);
