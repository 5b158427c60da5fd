using System.Text.Json;

namespace CloudMining.Farm.Agent.Power;

/// <summary>Reads and atomically rewrites relays.json in the agent's state directory.</summary>
public static class RelayStateFile
{
    public const string FileName = "relays.json";

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>The document, or an empty one when there is no file yet.</summary>
    public static RelayStateDocument Read(string stateDirectory)
    {
        string path = PathIn(stateDirectory);
        if (!File.Exists(path))
        {
            return new RelayStateDocument();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), RelayStateJsonContext.Default.RelayStateDocument) ?? new RelayStateDocument();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a relay state file ({e.Message}); move it aside (every outlet found off will then be powered up at start).", e);
        }
    }

    public static void Write(string stateDirectory, RelayStateDocument document)
    {
        Directory.CreateDirectory(stateDirectory);
        string path = PathIn(stateDirectory);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(document, RelayStateJsonContext.Default.RelayStateDocument));
        File.Move(temp, path, overwrite: true);
    }
}
