using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;
using Polly;
using Polly.CircuitBreaker;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>One miner ready to be polled: where it is, its own resilience pipeline and breaker state, and the profile to read it with.</summary>
internal sealed class MinerPollTarget
{
    public MinerPollTarget(int index, MinerOptions miner, ResiliencePipeline<MinerReadResult> pipeline, CircuitBreakerStateProvider breaker)
    {
        Index = index;
        Miner = miner;
        Endpoint = miner.Endpoint;
        Pipeline = pipeline;
        Breaker = breaker;
        Nominal = miner.NominalHashrate is null ? null : Hashrate.Parse(miner.NominalHashrate);
    }

    public int Index { get; }

    public MinerOptions Miner { get; }

    public MinerEndpoint Endpoint { get; }

    public ResiliencePipeline<MinerReadResult> Pipeline { get; }

    public CircuitBreakerStateProvider Breaker { get; }

    public Hashrate? Nominal { get; }
}
