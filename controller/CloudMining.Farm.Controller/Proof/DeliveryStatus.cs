namespace CloudMining.Farm.Controller.Proof;

/// <summary>How a contract's delivered hashrate compares with its target.</summary>
public enum DeliveryStatus
{
    /// <summary>Not measured yet (no telemetry from its pool, or observed too briefly).</summary>
    Unknown = 0,

    /// <summary>Within the tolerance.</summary>
    Within = 1,

    /// <summary>Below the target by more than the tolerance.</summary>
    Under = 2,

    /// <summary>Above the target by more than the tolerance.</summary>
    Over = 3,
}
