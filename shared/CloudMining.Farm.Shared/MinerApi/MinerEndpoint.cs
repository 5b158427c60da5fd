using System.Globalization;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>Where a miner's CGMiner-compatible API listens.</summary>
public sealed record MinerEndpoint(string Host, int Port = MinerEndpoint.DefaultPort)
{
    public const int DefaultPort = 4028;

    public override string ToString() =>
        Port == DefaultPort ? Host : Host + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses "10.1.2.3" or "10.1.2.3:4029".</summary>
    public static MinerEndpoint Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        int colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new FormatException($"'{text}' has no valid port; write host or host:port with a port from 1 to 65535.");
            }

            return new MinerEndpoint(text[..colon], port);
        }

        return new MinerEndpoint(text);
    }
}
