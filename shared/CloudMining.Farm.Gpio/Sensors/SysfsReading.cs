using CloudMining.Farm.Gpio.Sysfs;

namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>Reads one sensor attribute and turns file-system failures into <see cref="SensorReadException"/> with advice.</summary>
internal static class SysfsReading
{
    public static async Task<string> ReadAsync(string path, string missingAdvice, CancellationToken cancellationToken)
    {
        try
        {
            return await SysfsAttribute.ReadAsync(path, cancellationToken);
        }
        catch (SysfsAccessException ex) when (ex.IsMissing)
        {
            throw new SensorReadException(SensorErrorKind.Missing, path, $"{path} does not exist. {missingAdvice}", ex);
        }
        catch (SysfsAccessException ex) when (ex.IsDenied)
        {
            throw new SensorReadException(SensorErrorKind.Unreadable, path, $"Permission denied reading {path}; run the agent as a user that can read it.", ex);
        }
        catch (SysfsAccessException ex)
        {
            // hwmon returns EIO/ENODATA when the chip behind it does not answer.
            throw new SensorReadException(SensorErrorKind.Unreadable, path, $"Reading {path} failed: {ex.InnerException?.Message}. The sensor is present but not answering; check its wiring and dmesg.", ex);
        }
    }

    public static string Printable(string text)
    {
        string oneLine = text.ReplaceLineEndings(" ⏎ ");
        return oneLine.Length > 80 ? oneLine[..80] + "…" : oneLine;
    }
}
