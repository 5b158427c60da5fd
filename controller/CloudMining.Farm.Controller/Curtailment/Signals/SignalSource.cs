namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>Where a curtailment signal came from.</summary>
public enum SignalSource
{
    /// <summary>The site's time-of-use tariff schedule file.</summary>
    Tariff,

    /// <summary>An operator through `farmctl curtail`.</summary>
    Operator,

    /// <summary>A price feed or grid operator over MQTT (<c>farm/v1/{site}/signals/…</c>).</summary>
    Mqtt,
}
