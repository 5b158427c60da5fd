namespace CloudMining.Farm.Influx.Client;

/// <summary>One problem of the InfluxDB settings: the key (e.g. "Influx:Url") and what is wrong and what to set, without the key.</summary>
public sealed record InfluxConfigurationProblem(string Key, string Message)
{
    /// <summary>"Influx:Url is empty; …": the key, then the message.</summary>
    public override string ToString() => $"{Key} {Message}";
}
