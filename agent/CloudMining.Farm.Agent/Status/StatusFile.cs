using System.Text.Json;

namespace CloudMining.Farm.Agent.Status;

/// <summary>Reads and atomically replaces {stateDir}/status.json, so `farm-agent status` never sees half a file.</summary>
public static class StatusFile
{
    public const string FileName = "status.json";

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>Writes a temporary file beside the target and renames it over the old one (atomic on one filesystem).</summary>
    public static async Task WriteAsync(string stateDirectory, AgentStatusDocument document, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(stateDirectory);
        string target = PathIn(stateDirectory);
        string temp = target + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
        {
            await JsonSerializer.SerializeAsync(stream, document, StatusJsonContext.Default.AgentStatusDocument, cancellationToken);
        }

        File.Move(temp, target, overwrite: true);
    }

    /// <summary>Null when the file does not exist; a <see cref="JsonException"/> when it is not a status file.</summary>
    public static async Task<AgentStatusDocument?> ReadAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        string path = PathIn(stateDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        return await JsonSerializer.DeserializeAsync(stream, StatusJsonContext.Default.AgentStatusDocument, cancellationToken);
    }
}
