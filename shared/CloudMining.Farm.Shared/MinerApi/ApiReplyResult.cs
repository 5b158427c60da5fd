using System.Diagnostics.CodeAnalysis;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>One command's outcome: a reply, or the typed error that explains why there is none.</summary>
public sealed class ApiReplyResult
{
    private ApiReplyResult(string command, ApiReply? reply, MinerApiError? error)
    {
        Command = command;
        Reply = reply;
        Error = error;
    }

    public string Command { get; }

    public ApiReply? Reply { get; }

    public MinerApiError? Error { get; }

    [MemberNotNullWhen(true, nameof(Reply))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Reply is not null;

    public static ApiReplyResult Success(ApiReply reply) => new(reply.Command, reply, null);

    public static ApiReplyResult Failure(string command, MinerApiError error) => new(command, null, error with { Command = error.Command ?? command });
}
