namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// Keeps the fast unit-only run honest. A test that starts a real server (mosquitto, influxd, victoria-metrics,
/// PostgreSQL, chromium) or another process (farm-agent, farm-controller, farm-sim, farm-mqtt-probe, an installer
/// script) is an integration test and carries <c>[Trait("Category", "Integration")]</c> on its class. The unit-only command sets
/// <see cref="Variable"/>=1 and filters <c>Category!=Integration</c>; every fixture that starts a server or a process
/// calls <see cref="Starting"/> first, so an unmarked test fails loudly instead of quietly needing a server.
/// </summary>
public static class IntegrationGuard
{
    /// <summary>Set to 1 by the unit-only run (README): starting a server or a process is then an error.</summary>
    public const string Variable = "FARM_TESTS_UNIT_ONLY";

    /// <summary>Throws in the unit-only run: <paramref name="what"/> names the server or process about to start.</summary>
    public static void Starting(string what)
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1")
        {
            throw new InvalidOperationException(
                $"This test starts {what}, a real server or process, but ran in the unit-only run ({Variable}=1, --filter \"Category!=Integration\"): " +
                "mark its class [Trait(\"Category\", \"Integration\")] (tests/CloudMining.Farm.Tests/Infrastructure/IntegrationGuard.cs says which tests are integration).");
        }
    }
}
