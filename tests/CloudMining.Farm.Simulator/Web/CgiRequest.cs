namespace CloudMining.Farm.Simulator.Web;

/// <summary>One HTTP/1.1 request as the simulated miner's web server read it (headers by lower-case name).</summary>
public sealed record CgiRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The path without the query string.</summary>
    public string Path => Target.Split('?', 2)[0];

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out string? v) ? v : null;
}
