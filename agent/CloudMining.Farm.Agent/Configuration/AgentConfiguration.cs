using CloudMining.Farm.Shared.Logging;
using System.Text.Json;
using CloudMining.Farm.Shared.Configuration;
using Microsoft.Extensions.Configuration;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>Loads agent.json plus FARM_AGENT_ environment variables, and binds them into <see cref="AgentOptions"/>.</summary>
public static class AgentConfiguration
{
    /// <summary>Environment variables with this prefix override the file, "__" separating levels: FARM_AGENT_Agent__PollInterval=00:00:05.</summary>
    public const string EnvironmentPrefix = "FARM_AGENT_";

    /// <summary>Adds the file and the environment to a configuration builder; the file must exist.</summary>
    public static void AddAgentSources(IConfigurationBuilder builder, string configPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string full = Path.GetFullPath(configPath);
        if (!File.Exists(full))
        {
            throw new AgentConfigurationException(
                $"config file '{full}' does not exist; write one (see docs/agent.md) or pass --config PATH.");
        }

        // Fail here with the file's own line and column rather than deep inside the host.
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new AgentConfigurationException($"{full}: the file must hold one JSON object with an \"{AgentOptions.SectionName}\" section.");
            }
        }
        catch (JsonException e)
        {
            throw new AgentConfigurationException(
                $"{full}: not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message.Split(" LineNumber", 2)[0]} Fix the file and start again.", e);
        }

        builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        // Secrets (MinerCredentials, PoolCredentials passwords) may live in a file only the service user can read.
        builder.AddJsonFile(SecretsPath(full), optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
    }

    /// <summary>
    /// The keys of agent.json (and FARM_AGENT_ variables) that no options class reads — "Agent:PollIntervall" would
    /// otherwise be ignored and the default used — each with the nearest known key. A warning, not an error.
    /// </summary>
    public static IReadOnlyList<UnknownConfigurationKey> UnknownKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new ConfigurationKeyAudit()
            .Bind(AgentOptions.SectionName, typeof(AgentOptions))
            .KnownHostKeys()
            .Check(configuration.AsEnumerable().Where(kv => kv.Value is not null && !FarmLogging.IsLoggingKey(kv.Key)).Select(kv => kv.Key));
    }

    /// <summary>The optional secrets file beside the config (agent.json → secrets.json), same "Agent" shape, mode 0600 for the service user.</summary>
    public const string SecretsFileName = "secrets.json";

    public static string SecretsPath(string configPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".", SecretsFileName);

    public static IConfigurationRoot Load(string configPath)
    {
        var builder = new ConfigurationBuilder();
        AddAgentSources(builder, configPath);
        return builder.Build();
    }

    /// <summary>Binds the Agent section; a value of the wrong type becomes an <see cref="AgentConfigurationException"/> naming the key.</summary>
    public static AgentOptions Bind(IConfiguration configuration, string configPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new AgentOptions();
        try
        {
            configuration.GetSection(AgentOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new AgentConfigurationException(Explain(e), e);
        }

        ResolvePaths(options, configPath);
        return options;
    }

    /// <summary>Relative folders are taken from the config file's folder, so a service and a technician's shell agree.</summary>
    public static void ResolvePaths(AgentOptions options, string configPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? Directory.GetCurrentDirectory();
        if (!string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            options.StateDirectory = Path.GetFullPath(options.StateDirectory, baseDir);
        }

        if (!string.IsNullOrWhiteSpace(options.Log.Directory))
        {
            options.Log.Directory = Path.GetFullPath(options.Log.Directory, baseDir);
        }

        if (!string.IsNullOrWhiteSpace(options.ProfilesDirectory))
        {
            options.ProfilesDirectory = Path.GetFullPath(options.ProfilesDirectory, baseDir);
        }
    }

    /// <summary>The binder says "Failed to convert configuration value 'x' at 'Agent:PollInterval' to type 'System.TimeSpan'"; add what to write.</summary>
    public static string Explain(InvalidOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        string hint = message.Contains("TimeSpan", StringComparison.Ordinal) ? " Write durations as \"hh:mm:ss\", e.g. \"00:00:10\"."
            : message.Contains("Int32", StringComparison.Ordinal) ? " Write a whole number."
            : message.Contains("Double", StringComparison.Ordinal) ? " Write a number such as 80."
            : message.Contains("LogEventLevel", StringComparison.Ordinal) ? " Write one of Verbose, Debug, Information, Warning, Error, Fatal."
            : string.Empty;
        return message + hint;
    }
}
