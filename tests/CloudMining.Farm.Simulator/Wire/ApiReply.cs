namespace CloudMining.Farm.Simulator.Wire;

/// <summary>A full reply to one command: STATUS plus data sections, or a bare action word (cgminer's RESTART).</summary>
public sealed class ApiReply
{
    public ApiReply(ApiStatus status, long when, params ApiSection[] sections)
    {
        Status = status;
        When = when;
        Sections = sections;
    }

    private ApiReply(string action)
    {
        Action = action;
        Status = new ApiStatus("S", 0, action, string.Empty);
        Sections = [];
    }

    public ApiStatus Status { get; }

    public long When { get; }

    public IReadOnlyList<ApiSection> Sections { get; }

    /// <summary>Set for replies that are a single word, not STATUS + sections (restart answers "RESTART").</summary>
    public string? Action { get; }

    /// <summary>The first object of the named section, if any.</summary>
    public ApiObject? First(string section)
    {
        foreach (ApiSection s in Sections)
        {
            if (s.Name == section && s.Objects.Count > 0)
            {
                return s.Objects[0];
            }
        }

        return null;
    }

    public static ApiReply ForAction(string action) => new(action);
}
