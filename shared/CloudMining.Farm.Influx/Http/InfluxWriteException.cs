using System.Net;

namespace CloudMining.Farm.Influx.Http;

/// <summary>A write the server refused or that could not be delivered; carries the status, the server's message and the offending lines.</summary>
public sealed class InfluxWriteException : Exception
{
    public InfluxWriteException(WriteOutcome outcome, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Outcome = outcome;
    }

    public InfluxWriteException()
        : this("The write failed.")
    {
    }

    public InfluxWriteException(string message)
        : this(new WriteOutcome(WriteOutcomeKind.Retryable, null, message, null, []), message)
    {
    }

    public InfluxWriteException(string message, Exception innerException)
        : this(new WriteOutcome(WriteOutcomeKind.Retryable, null, message, null, []), message, innerException)
    {
    }

    public WriteOutcome Outcome { get; }

    public HttpStatusCode? StatusCode => Outcome.StatusCode;

    /// <summary>The lines (as sent) that the server's error message named, if any.</summary>
    public IReadOnlyList<string> OffendingLines => Outcome.OffendingLines;
}
