using System.Net;

namespace CloudMining.Farm.Influx.Http;

/// <summary>The classified result of one write request, with the server's message and the lines it named.</summary>
public sealed record WriteOutcome(
    WriteOutcomeKind Kind,
    HttpStatusCode? StatusCode,
    string? ServerMessage,
    TimeSpan? RetryAfter,
    IReadOnlyList<string> OffendingLines)
{
    public static WriteOutcome Accepted(HttpStatusCode status) => new(WriteOutcomeKind.Accepted, status, null, null, []);
}
