namespace CloudMining.Farm.Shared.Configuration;

/// <summary>A key in a config file that no options class reads, with the nearest key that exists (null when none is close).</summary>
public sealed record UnknownConfigurationKey(string Key, string? Suggestion)
{
    /// <summary>"Agent:PollIntervall is not a known key; did you mean Agent:PollInterval?" — what the log and `check` print.</summary>
    public string Message => Suggestion is null
        ? $"{Key} is not a known key and is ignored; check its spelling against the documentation."
        : $"{Key} is not a known key and is ignored; did you mean {Suggestion}?";
}
