using Xunit;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>A theory over the captured miner replies; skipped, with the reason shown in the test output, when they are absent.</summary>
public sealed class FixtureTheoryAttribute : TheoryAttribute
{
    public FixtureTheoryAttribute()
    {
        if (!RepoPaths.HasMinerApiFixtures)
        {
            Skip = $"NOTICE: captured miner replies not found at {RepoPaths.MinerApiFixtures}; set FARM_FIXTURES to run the real-data tests.";
        }
    }
}
