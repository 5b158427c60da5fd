using System.Diagnostics;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Tests.Agent.Power;

/// <summary>Moves a manual clock forward in small steps while a task waits on it, until the task ends (or a real-time deadline fails the test).</summary>
public static class ClockPump
{
    public static async Task RunAsync(Task task, CountingFakeTimeProvider clock, TimeSpan step, TimeSpan? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(clock);
        var real = Stopwatch.StartNew();
        TimeSpan limit = deadline ?? TimeSpan.FromSeconds(20);
        while (!task.IsCompleted)
        {
            if (real.Elapsed > limit)
            {
                throw new TimeoutException($"The task did not finish within {limit.TotalSeconds} s of real time (clock at {clock.GetUtcNow():O}).");
            }

            if (clock.PendingTimers > 0)
            {
                clock.Advance(step);
            }

            // Give the continuations the clock released a moment to run before the next step.
            await Task.WhenAny(task, Task.Delay(2));
        }

        await task;
    }
}
