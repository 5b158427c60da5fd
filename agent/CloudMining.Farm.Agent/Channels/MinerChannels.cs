using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Channels;

/// <summary>
/// The rack's side of the write channels: the shared <see cref="MinerWriter"/> plus what the rack configuration knows
/// about each miner (its web port, its login), so the pool reconciler, the watchdog and the CLI build the same
/// <see cref="ChannelTarget"/> for a miner.
/// </summary>
public sealed class MinerChannels
{
    private readonly Dictionary<string, MinerOptions> _miners;

    public MinerChannels(MinerWriter writer, MinerCredentials credentials, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Writer = writer ?? throw new ArgumentNullException(nameof(writer));
        Credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _miners = options.Miners.Where(m => !string.IsNullOrWhiteSpace(m.Id)).GroupBy(m => m.Id, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
    }

    public MinerWriter Writer { get; }

    public MinerCredentials Credentials { get; }

    /// <summary>Both channels with the agent's miner timeout, and the logins of Agent:MinerCredentials.</summary>
    public static MinerChannels Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = options.MinerTimeout, ReadTimeout = options.MinerTimeout });
        return new MinerChannels(MinerWriter.Create(client, options.MinerTimeout), new MinerCredentials(options.MinerCredentials), options);
    }

    /// <summary>The miner as a channel sees it; <paramref name="endpoint"/> is where it was last read (the configured one otherwise).</summary>
    public ChannelTarget Target(string minerId, MinerEndpoint? endpoint, FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        ArgumentNullException.ThrowIfNull(profile);
        MinerOptions? configured = _miners.GetValueOrDefault(minerId);
        MinerEndpoint where = endpoint ?? configured?.Endpoint ?? throw new ArgumentException($"Miner '{minerId}' is not configured on this rack.", nameof(minerId));
        return new ChannelTarget(minerId, where, profile)
        {
            WebPort = configured?.WebPort,
            ChannelPort = configured?.ChannelPort,
            Credential = Credentials.For(minerId, profile),
        };
    }
}
