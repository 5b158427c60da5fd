using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>Picks the firmware profile whose detection rules match a miner's replies; falls back to generic-cgminer.</summary>
public sealed class FirmwareDetector
{
    private readonly FirmwareProfileCatalog _catalog;

    public FirmwareDetector(FirmwareProfileCatalog catalog)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        ProbeCommands = [.. catalog.Profiles
            .SelectMany(p => p.DetectionRules.Select(r => r.Command))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(c => c.Equals("version", StringComparison.OrdinalIgnoreCase) ? 0 : 1)];
    }

    /// <summary>The commands detection rules test, version first: ask these, in order, until <see cref="TryDetect"/> matches.</summary>
    public IReadOnlyList<string> ProbeCommands { get; }

    /// <summary>The best matching profile for these replies, if any rule matches.</summary>
    public FirmwareProfile? TryDetect(IEnumerable<ApiReplyResult> replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        ApiReplyResult[] list = [.. replies];
        foreach (FirmwareProfile profile in _catalog.Profiles)
        {
            foreach (DetectionRule rule in profile.DetectionRules)
            {
                foreach (ApiReplyResult result in list)
                {
                    if (result.IsSuccess && string.Equals(result.Command, rule.Command, StringComparison.OrdinalIgnoreCase) && rule.Matches(result.Reply))
                    {
                        return profile;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The best matching profile, or generic-cgminer.</summary>
    public FirmwareProfile Detect(IEnumerable<ApiReplyResult> replies) => TryDetect(replies) ?? _catalog.Fallback;
}
