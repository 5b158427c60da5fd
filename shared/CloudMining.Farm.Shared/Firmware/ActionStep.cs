using System.Text;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>One API command of an action; the parameter may hold placeholders such as {url}, {user}, {password}, {index}, {quota}, {indexes}, {session}.</summary>
public sealed record ActionStep(string Command, string? Parameter)
{
    /// <summary>The placeholders each action may use.</summary>
    public static IReadOnlyDictionary<ProfileAction, string[]> AllowedPlaceholders { get; } = new Dictionary<ProfileAction, string[]>
    {
        [ProfileAction.AddPool] = ["url", "user", "password", "session"],
        [ProfileAction.RemovePool] = ["index", "session"],
        [ProfileAction.SwitchPool] = ["index", "session"],
        [ProfileAction.EnablePool] = ["index", "session"],
        [ProfileAction.DisablePool] = ["index", "session"],
        [ProfileAction.SetPriority] = ["indexes", "session"],
        [ProfileAction.SetQuota] = ["index", "quota", "session"],
        [ProfileAction.Restart] = ["session"],
    };

    /// <summary>The placeholder names the parameter uses, in order.</summary>
    public IReadOnlyList<string> Placeholders()
    {
        var names = new List<string>();
        string p = Parameter ?? string.Empty;
        int at = 0;
        while ((at = p.IndexOf('{', at)) >= 0)
        {
            int end = p.IndexOf('}', at);
            if (end < 0)
            {
                break;
            }

            names.Add(p[(at + 1)..end]);
            at = end + 1;
        }

        return names;
    }

    /// <summary>The parameter with its placeholders filled in; a missing value is an error, never an empty string sent to a miner.</summary>
    public string? Render(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Parameter is null)
        {
            return null;
        }

        var sb = new StringBuilder(Parameter.Length + 32);
        int at = 0;
        while (at < Parameter.Length)
        {
            int open = Parameter.IndexOf('{', at);
            if (open < 0)
            {
                sb.Append(Parameter, at, Parameter.Length - at);
                break;
            }

            int close = Parameter.IndexOf('}', open);
            sb.Append(Parameter, at, open - at);
            string name = Parameter[(open + 1)..close];
            if (!values.TryGetValue(name, out string? value))
            {
                throw new ArgumentException($"The '{Command}' step needs a value for {{{name}}}.", nameof(values));
            }

            sb.Append(value);
            at = close + 1;
        }

        return sb.ToString();
    }
}
