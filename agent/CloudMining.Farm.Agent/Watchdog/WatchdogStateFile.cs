using System.Text.Json;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>Reads and atomically rewrites watchdog.json in the agent's state directory.</summary>
public static class WatchdogStateFile
{
    public const string FileName = "watchdog.json";

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>The document, or an empty one when the file does not exist yet.</summary>
    public static WatchdogDocument Read(string stateDirectory)
    {
        string path = PathIn(stateDirectory);
        if (!File.Exists(path))
        {
            return new WatchdogDocument();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), WatchdogJsonContext.Default.WatchdogDocument) ?? new WatchdogDocument();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a watchdog state file ({e.Message}); move it aside to start with no quarantined miners.", e);
        }
    }

    /// <summary>Writes through a temporary file and a rename, so a reader never sees half a file.</summary>
    public static void Write(string stateDirectory, WatchdogDocument document)
    {
        Directory.CreateDirectory(stateDirectory);
        string path = PathIn(stateDirectory);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(document, WatchdogJsonContext.Default.WatchdogDocument));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Removes a miner from quarantine; false when it was not quarantined.</summary>
    public static bool Release(string stateDirectory, string minerId)
    {
        WatchdogDocument doc = Read(stateDirectory);
        QuarantineEntry? entry = doc.Quarantined.FirstOrDefault(q => string.Equals(q.MinerId, minerId, StringComparison.OrdinalIgnoreCase));
        if (entry is null)
        {
            return false;
        }

        Write(stateDirectory, doc with
        {
            Quarantined = doc.Quarantined.Where(q => q != entry).ToArray(),
            Miners = doc.Miners.Where(m => !string.Equals(m.MinerId, minerId, StringComparison.OrdinalIgnoreCase)).ToArray(),
        });
        return true;
    }
}
