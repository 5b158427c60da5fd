using System.Security.Cryptography;
using System.Text;
using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

/// <summary>
/// The bearer token of the local API, kept in a file only the controller's user and the operators' group may read
/// (Controller:Api:TokenFile): whoever can read the file may sell and end contracts, nobody else can.
/// </summary>
public sealed partial class LocalApiToken
{
    /// <summary>The file name beside the database when Controller:Api:TokenFile is not set.</summary>
    public const string DefaultFileName = ControlApiDefaults.TokenFileName;

    /// <summary>The group install-service.sh creates for operators who may use farmctl.</summary>
    public const string OperatorsGroup = ControlApiDefaults.OperatorsGroup;

    private const string Key = "Controller:Api:TokenFile";

    /// <summary>rw for the controller's user, r for its group, nothing for anyone else.</summary>
    private const UnixFileMode TokenFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private const UnixFileMode OthersBits = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly byte[] _hash;

    private LocalApiToken(string path, string value)
    {
        Path = path;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The token file.</summary>
    public string Path { get; }

    /// <summary>
    /// Reads the token file, or creates it (32 random bytes, base64url, mode 0640) when it does not exist. A file other
    /// users can read or write, or an empty one, is a configuration error naming the key and the fix.
    /// </summary>
    public static LocalApiToken LoadOrCreate(string path, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ControllerConfigurationException(Key, "is empty; set the path of the local API's token file, e.g. \"/var/lib/farm-controller/api-token\".");
        }

        string full = System.IO.Path.GetFullPath(path);
        try
        {
            if (!File.Exists(full))
            {
                Create(full);
                LogTokenCreated(logger, full, OperatorsGroup);
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(full) & OthersBits) != 0)
            {
                throw new ControllerConfigurationException(
                    Key,
                    $"{full} can be read or written by every local user (mode {Octal(File.GetUnixFileMode(full))}), so anyone could sell or end contracts; " +
                    $"run `chmod 0640 {full}` (owner the controller's user, group {OperatorsGroup}).");
            }

            string value = File.ReadAllText(full).Trim();
            if (value.Length < 16)
            {
                throw new ControllerConfigurationException(Key, $"{full} holds no usable token (fewer than 16 characters); delete it and the controller creates a new one at start.");
            }

            return new LocalApiToken(full, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControllerConfigurationException(
                Key,
                $"cannot read or create {full} ({e.Message}); the folder must be writable by the controller's user, or point the key at a file it may read.");
        }
    }

    /// <summary>True when <paramref name="presented"/> is the token; the comparison takes the same time wherever they differ.</summary>
    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        // Hashing first makes both sides the same length, so not even the token's length leaks through timing.
        return CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented.Trim())));
    }

    // Written whole under a temporary name, then renamed into place: a reader (farmctl, a script polling for the file)
    // sees no file or the whole token, never an empty or half-written one. A token another process put there first wins.
    private static void Create(string full)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        string value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string temporary = $"{full}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = TokenFileMode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.WriteLine(value);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask may have taken bits away, never added them; make the mode exactly 0640.
                File.SetUnixFileMode(temporary, TokenFileMode);
            }

            File.Move(temporary, full, overwrite: false);
        }
        catch (IOException) when (File.Exists(full))
        {
            // Created meanwhile by another start: that token stands, ours goes.
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Created the local API token file {TokenFile} (mode 0640, group of the controller's user); farmctl users need read access: " +
            "chgrp {Group} {TokenFile} (scripts/install-service.sh does this at install)")]
    private static partial void LogTokenCreated(ILogger logger, string tokenFile, string group);
}
