using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>One command's decoded reply: its STATUS and the reply object, with case-insensitive access to sections such as SUMMARY or POOLS.</summary>
public sealed class ApiReply
{
    public ApiReply(string command, ApiStatus? status, JsonElement root)
    {
        Command = command;
        Status = status;
        Root = root;
    }

    /// <summary>The command this reply answers (one part of a multi-command request).</summary>
    public string Command { get; }

    /// <summary>The STATUS block; null when the firmware sent none.</summary>
    public ApiStatus? Status { get; }

    /// <summary>The reply object. Valid while the <see cref="ApiReplySet"/> that produced it is not disposed.</summary>
    public JsonElement Root { get; }

    /// <summary>Finds a top-level section (SUMMARY, POOLS, DEVS, STATS…) whatever its case.</summary>
    public bool TryGetSection(string name, out JsonElement section) => JsonLookup.TryGetProperty(Root, name, out section);

    /// <summary>Enumerates the objects of a section: the elements of an array section, or the section itself when it is an object.</summary>
    public JsonLookup.ObjectEnumerable SectionObjects(string name) =>
        TryGetSection(name, out JsonElement section) ? new JsonLookup.ObjectEnumerable(section) : default;

    /// <summary>The first object of a section, where it has one.</summary>
    public bool TryGetFirstObject(string name, [NotNullWhen(true)] out JsonElement? first)
    {
        foreach (JsonElement item in SectionObjects(name))
        {
            first = item;
            return true;
        }

        first = null;
        return false;
    }
}
