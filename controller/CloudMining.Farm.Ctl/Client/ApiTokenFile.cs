using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Client;

/// <summary>
/// The controller's API token as farmctl found it: the token, or why it could not be read (shown when the controller
/// answers 401, so an unreachable controller is still reported as such).
/// </summary>
public sealed record ApiTokenFile(string Path, string? Token, string? Problem)
{
    /// <summary>Environment variable naming the token file when --token-file is not given.</summary>
    public const string EnvironmentVariable = "FARMCTL_TOKEN_FILE";

    /// <summary>Where the packaged controller keeps it: "api-token" beside its database in its state directory.</summary>
    public const string DefaultPath = "/var/lib/farm-controller/" + ControlApiDefaults.TokenFileName;

    /// <summary>Reads --token-file, else $FARMCTL_TOKEN_FILE, else <see cref="DefaultPath"/>; never throws.</summary>
    public static ApiTokenFile Read(string? option, string? environment)
    {
        string path = !string.IsNullOrWhiteSpace(option) ? option.Trim()
            : !string.IsNullOrWhiteSpace(environment) ? environment.Trim()
            : DefaultPath;
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            string token = File.ReadAllText(full).Trim();
            return token.Length == 0
                ? new ApiTokenFile(full, null, $"the API token file {full} is empty; the controller writes it at start (delete it and restart farm-controller)")
                : new ApiTokenFile(full, token, null);
        }
        catch (UnauthorizedAccessException)
        {
            return new ApiTokenFile(
                full,
                null,
                $"cannot read the API token file {full}: permission denied. You are not in group {ControlApiDefaults.OperatorsGroup}: ask the admin to add you " +
                $"(sudo usermod -aG {ControlApiDefaults.OperatorsGroup} $USER, then log in again), or run as the service user (sudo -u farm-controller farmctl ...)");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ApiTokenFile(
                full,
                null,
                $"the API token file {full} does not exist; pass the controller's Controller:Api:TokenFile with --token-file PATH or {EnvironmentVariable} " +
                "(by default it is api-token beside the controller's database, created when farm-controller starts)");
        }
        catch (IOException e)
        {
            return new ApiTokenFile(full, null, $"cannot read the API token file {full}: {e.Message}");
        }
    }
}
