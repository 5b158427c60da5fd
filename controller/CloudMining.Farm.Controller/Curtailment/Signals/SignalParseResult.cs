namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>A parsed signal, or why the message was refused (what, where, what to do); never both.</summary>
public sealed record SignalParseResult<T>(T? Value, string? Error)
    where T : class
{
    public bool Ok => Value is not null;
}
