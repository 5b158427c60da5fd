using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// A fact of a store test base class that runs once per derived class (SQLite, PostgreSQL); in a class marked
/// <see cref="RequiresPostgreSqlAttribute"/> it is skipped with a visible notice when PostgreSQL is not installed.
/// </summary>
[XunitTestCaseDiscoverer("CloudMining.Farm.Tests.Infrastructure.StoreFactDiscoverer", "CloudMining.Farm.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests: a normal fact, or a skipped one naming why.</summary>
public sealed class StoreFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _sink;
    private readonly FactDiscoverer _fact;

    public StoreFactDiscoverer(IMessageSink diagnosticMessageSink)
    {
        _sink = diagnosticMessageSink;
        _fact = new FactDiscoverer(diagnosticMessageSink);
    }

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        bool needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgreSqlAttribute).AssemblyQualifiedName).Any();
        if (needsPostgres && PostgreSqlServer.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(_sink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return _fact.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
