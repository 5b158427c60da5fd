using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Hosting;

/// <summary>Creates the production miner reader (firmware profiles + API client) from the agent's options.</summary>
public static class MinerReaderFactory
{
    public static IMinerReader Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        throw new NotSupportedException("The firmware decoder is not merged into this build yet.");
    }
}
