namespace CloudMining.Farm.Influx.Http;

/// <summary>What one write request came to, which decides whether it is retried, dropped with a report, or blocks the stream.</summary>
public enum WriteOutcomeKind
{
    /// <summary>2xx: the server has the points.</summary>
    Accepted,

    /// <summary>429, 503, other 5xx or a network failure: try again later, the points are still ours.</summary>
    Retryable,

    /// <summary>400 or 413 (or a partial write): the server refused some lines; retrying cannot help.</summary>
    Rejected,

    /// <summary>401/403/404: wrong credentials or missing database/bucket; nothing will succeed until the settings change.</summary>
    Misconfigured,
}
