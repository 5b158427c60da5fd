namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Finds the checkout, the firmware profiles and the team's captured miner replies from inside a test run.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder that holds CloudMining.Farm.sln.</summary>
    public static string Root => RootLazy.Value;

    public static string FirmwareProfiles => Path.Combine(Root, "firmware-profiles");

    /// <summary>Captured real miner replies: $FARM_FIXTURES, else ../shared/fixtures/miner-api beside the checkout.</summary>
    public static string MinerApiFixtures =>
        Environment.GetEnvironmentVariable("FARM_FIXTURES") is { Length: > 0 } overridden
            ? overridden
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures", "miner-api"));

    public static bool HasMinerApiFixtures => Directory.Exists(MinerApiFixtures);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloudMining.Farm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CloudMining.Farm.sln above {AppContext.BaseDirectory}; run the tests from inside the checkout.");
    }
}
