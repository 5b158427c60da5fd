using System.Security.Cryptography;
using System.Text;
using CloudMining.Farm.Controller.Configuration;

namespace CloudMining.Farm.Controller.Pages;

/// <summary>
/// The secret behind the web pages' read-only link tokens: a contract's token (and the dashboard's) is an HMAC of its
/// name under this key, so no token is stored and none can be guessed from another. Kept in "page-link-key" beside
/// the API token (mode 0600, the controller's user only); deleting the file and restarting revokes every link.
/// </summary>
public sealed class PageLinkKey
{
    /// <summary>The key file's name beside the API token file.</summary>
    public const string FileName = "page-link-key";

    private const string Key = "Controller:Api:TokenFile";
    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly byte[] _key;

    private PageLinkKey(byte[] key) => _key = key;

    /// <summary>A key held in memory only (tests, or an API without a token file): links last as long as the process.</summary>
    public static PageLinkKey Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>Reads the key beside <paramref name="tokenFile"/>, or creates it (32 random bytes, mode 0600).</summary>
    public static PageLinkKey LoadOrCreateBeside(string tokenFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenFile);
        string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenFile))!, FileName);
        try
        {
            if (!File.Exists(path))
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = KeyFileMode;
                }

                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) + "\n"));
            }

            byte[] key = Convert.FromHexString(File.ReadAllText(path).Trim());
            return key.Length >= 16
                ? new PageLinkKey(key)
                : throw new ControllerConfigurationException(Key, $"{path} holds fewer than 16 bytes of key; delete it and the controller creates a new one at start (every page link changes).");
        }
        catch (FormatException)
        {
            throw new ControllerConfigurationException(Key, $"{path} is not a hex key; delete it and the controller creates a new one at start (every page link changes).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControllerConfigurationException(Key, $"cannot read or create the page link key {path} ({e.Message}); the API token's folder must be writable by the controller's user.");
        }
    }

    /// <summary>The read-only link token of a contract's proof page.</summary>
    public string ContractToken(string contractId) => Token("contract-proof:" + contractId);

    /// <summary>The read-only link token of the operator dashboard.</summary>
    public string DashboardToken() => Token("operator-dashboard");

    /// <summary>True when <paramref name="presented"/> is the contract's token (constant time).</summary>
    public bool MatchesContract(string contractId, string? presented) => Matches(ContractToken(contractId), presented);

    /// <summary>True when <paramref name="presented"/> is the dashboard's token (constant time).</summary>
    public bool MatchesDashboard(string? presented) => Matches(DashboardToken(), presented);

    private static bool Matches(string expected, string? presented) =>
        !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    private string Token(string purpose) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
