namespace CloudMining.Farm.Influx.Client;

/// <summary>How a v1 user and password travel: an <c>Authorization: Basic</c> header (default) or the <c>u=</c>/<c>p=</c> query parameters.</summary>
public enum InfluxV1AuthMethod
{
    /// <summary>HTTP basic authentication; keeps the password out of URLs and proxy logs.</summary>
    Basic,

    /// <summary>The <c>u</c> and <c>p</c> query parameters, for proxies that strip Authorization headers.</summary>
    QueryParameters,
}
