using System.Text.Json;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>The replies parsed from one read (one per command of a multi-command request); owns the pooled JSON buffers until disposed.</summary>
public sealed class ApiReplySet : IDisposable
{
    private readonly JsonDocument? _document;

    internal ApiReplySet(JsonDocument? document, IReadOnlyList<ApiReplyResult> results)
    {
        _document = document;
        Results = results;
    }

    public IReadOnlyList<ApiReplyResult> Results { get; }

    /// <summary>The single result of a one-command read.</summary>
    public ApiReplyResult First => Results[0];

    public void Dispose() => _document?.Dispose();
}
