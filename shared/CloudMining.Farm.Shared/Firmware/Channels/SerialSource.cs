namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// Where a firmware that gives no serial on its cgminer API gives it instead, as its profile says
/// (<c>identity.serialSource</c>): the channel the agent already speaks to that firmware, the request on it (a CGI
/// script, a REST path, a gRPC method) and the reply's fields that may hold the serial, the first present wins.
/// </summary>
public sealed record SerialSource(WriteChannelKind Channel, string Command, IReadOnlyList<string> Fields)
{
    /// <summary>The channels that can read a serial (each implements <see cref="WriteChannel.ReadSerialAsync"/>).</summary>
    public static IReadOnlySet<WriteChannelKind> Readers { get; } = new HashSet<WriteChannelKind> { WriteChannelKind.BitmainWeb, WriteChannelKind.VnishRest, WriteChannelKind.BraiinsGrpc };

    public override string ToString() => $"{WriteChannelNames.Of(Channel)} {Command} → {string.Join(" or ", Fields)}";
}
