using CloudMining.Farm.Influx.Client;

namespace CloudMining.Farm.Influx.Write;

/// <summary>Checks <see cref="WriteOptions"/> (config <c>Influx:Write:*</c>), naming each key at fault and what to set.</summary>
public static class WriteOptionsValidator
{
    private const string Section = "Influx:Write:";

    /// <summary>Every setting that cannot work, in the order of the keys (empty when the options are usable).</summary>
    public static IReadOnlyList<InfluxConfigurationProblem> Problems(WriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<InfluxConfigurationProblem>();
        void Require(bool ok, string key, string message)
        {
            if (!ok)
            {
                problems.Add(new InfluxConfigurationProblem(Section + key, message));
            }
        }

        Require(options.BatchSize >= 1, "BatchSize", $"is {options.BatchSize}; it must be at least 1 (5000 is the default).");
        Require(options.FlushInterval > TimeSpan.Zero, "FlushInterval", $"is {options.FlushInterval}; set a positive duration such as \"00:00:01\".");
        Require(options.MaxConcurrentRequests >= 1, "MaxConcurrentRequests", $"is {options.MaxConcurrentRequests}; it must be at least 1 (1 is the default).");
        Require(options.RetryInterval > TimeSpan.Zero, "RetryInterval", $"is {options.RetryInterval}; set a positive duration such as \"00:00:01\".");
        Require(options.MaxRetryDelay > TimeSpan.Zero, "MaxRetryDelay", $"is {options.MaxRetryDelay}; set a positive duration such as \"00:00:30\".");
        Require(options.MaxRetries >= 0, "MaxRetries", $"is {options.MaxRetries}; it cannot be negative (3 is the default).");
        Require(options.MaxBufferedPoints >= options.BatchSize, "MaxBufferedPoints", $"is {options.MaxBufferedPoints}, less than Influx:Write:BatchSize ({options.BatchSize}); hold at least one batch in memory.");
        Require(options.MaxSpillBytes >= 0, "MaxSpillBytes", $"is {options.MaxSpillBytes}; it cannot be negative.");
        Require(options.ShutdownTimeout >= TimeSpan.Zero, "ShutdownTimeout", $"is {options.ShutdownTimeout}; it cannot be negative.");
        return problems;
    }
}
