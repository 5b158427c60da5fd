namespace CloudMining.Farm.Controller.Configuration;

/// <summary>One problem in the controller's configuration: the key (e.g. "Controller:Engine:IntervalS") and what is wrong and what to set.</summary>
public sealed record ConfigurationError(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}
