using CloudMining.Farm.Shared.Retry;
using Xunit;

namespace CloudMining.Farm.Tests.Retry;

public sealed class DoublingBackoffTests
{
    [Fact]
    public void Doubles_from_the_first_wait_up_to_the_cap_and_stays_there()
    {
        TimeSpan first = TimeSpan.FromSeconds(30);
        TimeSpan cap = TimeSpan.FromHours(1);

        Assert.Equal(
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600],
            Enumerable.Range(0, 9).Select(n => DoublingBackoff.Delay(n, first, cap).TotalSeconds));
        Assert.Equal(cap, DoublingBackoff.Delay(int.MaxValue, first, cap));
        Assert.Throws<ArgumentOutOfRangeException>(() => DoublingBackoff.Delay(-1, first, cap));
    }
}
