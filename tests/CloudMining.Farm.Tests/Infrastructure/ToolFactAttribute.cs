using Xunit;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>A fact that needs command-line tools (python3, openssl) to compute independent vectors; skipped, with a visible notice, when one is missing.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        string[] missing = tools.Where(t => ExternalTool.Find(t) is null).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"NOTICE: {string.Join(", ", missing)} not found on PATH; install them (apt-get install python3 openssl) to check the vectors independently.";
        }
    }
}
