namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>A failed API conversation as a value: what went wrong, on which command, and what to do about it.</summary>
public sealed record MinerApiError(MinerApiErrorKind Kind, string Message)
{
    public string? Command { get; init; }

    /// <summary>Byte offset into the reply where parsing failed (MalformedReply).</summary>
    public long? Position { get; init; }

    /// <summary>A short, printable excerpt of the reply around <see cref="Position"/>.</summary>
    public string? Excerpt { get; init; }

    /// <summary>STATUS Code for CommandError / AccessDenied.</summary>
    public int? StatusCode { get; init; }

    public string? StatusMessage { get; init; }

    public override string ToString()
    {
        string where = Command is null ? string.Empty : $" [{Command}]";
        string at = Position is null ? string.Empty : $" at byte {Position}";
        string excerpt = Excerpt is null ? string.Empty : $" near «{Excerpt}»";
        return $"{Kind}{where}: {Message}{at}{excerpt}";
    }
}
