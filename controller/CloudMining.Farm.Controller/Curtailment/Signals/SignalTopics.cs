namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>The MQTT topics of curtailment signals: <c>farm/v1/{site}/signals/energy-price</c> and <c>…/demand-response</c>.</summary>
public static class SignalTopics
{
    public const string EnergyPrice = "energy-price";

    public const string DemandResponse = "demand-response";

    public static string For(string site, string kind) => $"farm/v1/{site}/signals/{kind}";

    /// <summary>The subscription filter for one site's signals.</summary>
    public static string Filter(string site) => $"farm/v1/{site}/signals/+";

    /// <summary>Splits a signal topic into its site and kind; false for any other topic.</summary>
    public static bool TryParse(string? topic, out string site, out string kind)
    {
        site = kind = string.Empty;
        string[] parts = topic?.Split('/') ?? [];
        if (parts is not ["farm", "v1", { Length: > 0 } s, "signals", { } k] || k is not (EnergyPrice or DemandResponse))
        {
            return false;
        }

        site = s;
        kind = k;
        return true;
    }
}
