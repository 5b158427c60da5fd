namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// The result of a read-only probe of one miner's write channel: whether operations routed to it can work with the
/// configured login, why not and what to do, and what the firmware says about its ranges (quota step, power target
/// range) where it says anything. Never carries a password or a token.
/// </summary>
public sealed record ChannelProbe(string Channel, ChannelProbeStatus Status, string? Message = null, string? Fix = null)
{
    /// <summary>True when operations through this channel are expected to work.</summary>
    public bool Usable => Status is ChannelProbeStatus.Ready or ChannelProbeStatus.NotProbed;

    /// <summary>The login in use is the vendor's factory password (works, but anyone on the network can use it too).</summary>
    public bool VendorDefaultPassword { get; init; }

    /// <summary>Lowest and highest power target the firmware accepts, in watts, when it reports them.</summary>
    public (double MinWatts, double MaxWatts)? PowerTargetRange { get; init; }

    public static ChannelProbe NotProbed(string channel) => new(channel, ChannelProbeStatus.NotProbed);

    /// <summary>The probe's finding from the error its read-only call met; <paramref name="fix"/> replaces the error's own fix when given.</summary>
    public static ChannelProbe Failed(string channel, ChannelError error, string? fix = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(channel, StatusOf(error.Kind), error.Message, fix ?? error.Fix);
    }

    /// <summary>
    /// One mapping for every channel. A refusal the firmware answered in its own words (access denied, a command it
    /// does not know, a command error) means the channel is there but will not take our writes: <see cref="ChannelProbeStatus.Disabled"/>.
    /// </summary>
    public static ChannelProbeStatus StatusOf(ChannelErrorKind kind) => kind switch
    {
        ChannelErrorKind.MissingCredentials => ChannelProbeStatus.MissingCredentials,
        ChannelErrorKind.AuthenticationFailed => ChannelProbeStatus.AuthenticationFailed,
        ChannelErrorKind.Unreachable or ChannelErrorKind.Timeout => ChannelProbeStatus.Unreachable,
        ChannelErrorKind.AccessDenied or ChannelErrorKind.NotSupported or ChannelErrorKind.CommandError => ChannelProbeStatus.Disabled,
        _ => ChannelProbeStatus.Malformed,
    };
}
