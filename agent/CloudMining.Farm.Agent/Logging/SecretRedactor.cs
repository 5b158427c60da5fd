using System.Text.RegularExpressions;

namespace CloudMining.Farm.Agent.Logging;

/// <summary>Masks pool passwords and similar secrets in text that came from a miner before it reaches logs or status files.</summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        // Pool configs carry "pass", "password" or "pwd"; a garbled reply excerpt may contain any of them.
        return SecretValue().Replace(text, m => m.Groups["key"].Value + m.Groups["sep"].Value + Mask);
    }

    [GeneratedRegex(@"(?<key>\b[""']?(?:pass(?:word)?|pwd|secret|token)[""']?)(?<sep>\s*[:=]\s*[""']?)(?<value>[^""',;}\s]*)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();
}
