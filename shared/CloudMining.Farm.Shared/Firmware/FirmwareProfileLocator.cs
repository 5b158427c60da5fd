namespace CloudMining.Farm.Shared.Firmware;

/// <summary>Finds the firmware-profiles directory: an explicit path, else $FARM_PROFILES, else next to the executable, else up from it to the checkout's firmware-profiles/.</summary>
public static class FirmwareProfileLocator
{
    public const string EnvironmentVariable = "FARM_PROFILES";

    public const string FolderName = "firmware-profiles";

    public static string Resolve(string? explicitDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return Path.GetFullPath(explicitDirectory);
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv)
        {
            return Path.GetFullPath(fromEnv);
        }

        string beside = Path.Combine(AppContext.BaseDirectory, FolderName);
        if (Directory.Exists(beside))
        {
            return beside;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, FolderName);
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.yaml").Any())
            {
                return candidate;
            }
        }

        throw new FirmwareProfileException(beside, "(directory)",
            $"no {FolderName} folder found (looked beside the executable and above it); pass --profiles DIR or set {EnvironmentVariable}.");
    }
}
