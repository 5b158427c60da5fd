namespace CloudMining.Farm.Gpio.Sysfs;

/// <summary>Reads and writes sysfs attribute files and waits for exported directories; the one place that touches those files.</summary>
/// <remarks>Errors come back as <see cref="SysfsAccessException"/> carrying the path, so each caller can add advice for its own subsystem.</remarks>
internal static class SysfsAttribute
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    public static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SysfsAccessException(path, ex);
        }
    }

    public static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SysfsAccessException(path, ex);
        }
    }

    public static void Write(string path, string value)
    {
        try
        {
            // sysfs ignores truncation; on a test tree it keeps "in" from becoming "int" after "out".
            File.WriteAllText(path, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SysfsAccessException(path, ex);
        }
    }

    /// <summary>Polls until <paramref name="path"/> exists: the kernel (and udev, for permissions) create exported nodes shortly after the export write returns.</summary>
    public static bool WaitUntilExists(string path, TimeSpan timeout, TimeProvider timeProvider)
    {
        long started = timeProvider.GetTimestamp();
        if (Path.Exists(path))
        {
            return true;
        }

        // sysfs has no change notification to wait on, and export is a synchronous API (as in System.Device.Gpio),
        // so re-check on a timer from the injected clock until the node appears or the deadline passes.
        using var tick = new AutoResetEvent(false);
        using ITimer timer = timeProvider.CreateTimer(_ => tick.Set(), null, PollInterval, PollInterval);
        while (!Path.Exists(path))
        {
            if (timeProvider.GetElapsedTime(started) > timeout)
            {
                return false;
            }

            tick.WaitOne();
        }

        return true;
    }
}
