namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>Carries a <see cref="MinerApiError"/> through code that must unwind; callers at the loop boundary turn it back into the value.</summary>
public sealed class MinerApiException : Exception
{
    public MinerApiException(MinerApiError error, Exception? inner = null)
        : base(error.ToString(), inner)
    {
        Error = error;
    }

    public MinerApiException()
        : this(new MinerApiError(MinerApiErrorKind.MalformedReply, "unspecified"))
    {
    }

    public MinerApiException(string message)
        : this(new MinerApiError(MinerApiErrorKind.MalformedReply, message))
    {
    }

    public MinerApiException(string message, Exception inner)
        : this(new MinerApiError(MinerApiErrorKind.MalformedReply, message), inner)
    {
    }

    public MinerApiError Error { get; }
}
