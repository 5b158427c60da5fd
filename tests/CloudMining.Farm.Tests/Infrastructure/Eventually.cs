using System.Diagnostics;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: the only way tests wait for something to happen.</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        TimeSpan step = interval ?? TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(step);
        }
    }

    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        TimeSpan step = interval ?? TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(step);
        }
    }
}
