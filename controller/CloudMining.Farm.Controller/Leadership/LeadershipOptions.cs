namespace CloudMining.Farm.Controller.Leadership;

/// <summary>
/// Leader and standby on one PostgreSQL store (Controller:Leadership:*): which instance this is, where farmctl should go
/// when it reaches the standby, and how often the standby tries to take the lead. SQLite has one controller: it always leads.
/// </summary>
public sealed class LeadershipOptions
{
    public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>This controller's name in logs, in the platform payloads ("instance") and in the standby's answer; default: the host name.</summary>
    public string? Instance { get; set; }

    /// <summary>The API address the standby names for this instance while it leads; default: Controller:Api:Url.</summary>
    public string? AdvertiseApiUrl { get; set; }

    /// <summary>How often the standby tries the leader lock (and the leader checks its lock connection); the failover time is about this plus a start.</summary>
    public TimeSpan? RetryInterval { get; set; }

    /// <summary>The instance name in force.</summary>
    public string InstanceName() => string.IsNullOrWhiteSpace(Instance) ? Environment.MachineName : Instance.Trim();

    /// <summary>The retry interval in force.</summary>
    public TimeSpan Retry() => RetryInterval ?? DefaultRetryInterval;
}
