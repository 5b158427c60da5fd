namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>Reads one miner over its API and decodes it through a firmware profile.</summary>
public interface IMinerReader
{
    /// <param name="endpoint">Where the miner's API listens.</param>
    /// <param name="profile">A firmware profile name, or "auto" to detect it from the miner's replies.</param>
    /// <param name="cancellationToken">Stops the conversation.</param>
    /// <returns>Never throws for miner faults: unreachable, timeout, malformed and refused replies come back as an error value.</returns>
    ValueTask<MinerReadResult> ReadAsync(MinerEndpoint endpoint, string profile, CancellationToken cancellationToken);
}
