namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Finds a server binary on PATH (or /usr/sbin, /usr/bin) for fixtures that start real servers; fails with the install hint when absent.</summary>
public static class ServerBinary
{
    public static string Find(string name)
    {
        IEnumerable<string> dirs = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/bin"]);
        foreach (string dir in dirs)
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"The '{name}' binary was not found on PATH; install it: ./install.sh --deps");
    }
}
