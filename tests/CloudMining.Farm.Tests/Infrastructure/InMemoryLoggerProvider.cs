using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Keeps every log event with its structured properties, so tests can count exactly which lines were written.</summary>
public sealed class InMemoryLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyList<LogRecord> Records => _records.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>A typed logger for handing to a class under test directly.</summary>
    public ILogger<T> CreateLogger<T>() => new Logger<T>(new Factory(this));

    public void Dispose()
    {
    }

    /// <summary>One log event: level, category, rendered text and the template's named values.</summary>
    public sealed record LogRecord(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Properties, Exception? Exception)
    {
        public string? Property(string name) => Properties.TryGetValue(name, out object? v) ? v?.ToString() : null;
    }

    private sealed class Logger(InMemoryLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var props = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var pair in pairs)
                {
                    props[pair.Key] = pair.Value;
                }
            }

            owner._records.Enqueue(new LogRecord(logLevel, category, formatter(state, exception), props, exception));
        }
    }

    private sealed class Factory(InMemoryLoggerProvider provider) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
