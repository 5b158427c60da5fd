using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>Which controller farmctl talks to: --api, else $FARMCTL_API, else the controller's default loopback address.</summary>
public static class ApiAddress
{
    public static Uri Resolve(string? option, string? environment)
    {
        string text = !string.IsNullOrWhiteSpace(option) ? option
            : !string.IsNullOrWhiteSpace(environment) ? environment
            : ControlApiDefaults.Url;
        string source = !string.IsNullOrWhiteSpace(option) ? "--api" : !string.IsNullOrWhiteSpace(environment) ? "FARMCTL_API" : "the default";
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CtlUsageException($"{source} '{text}' is not an http:// URL; use e.g. --api {ControlApiDefaults.Url} (the controller's Controller:Api:Url).");
        }

        // A base address without a trailing slash would drop its last path segment when relative paths are resolved.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }
}
