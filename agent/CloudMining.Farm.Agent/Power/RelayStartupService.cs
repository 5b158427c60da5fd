using CloudMining.Farm.Agent.Configuration;
using Microsoft.Extensions.Hosting;

namespace CloudMining.Farm.Agent.Power;

/// <summary>At agent start: powers up every outlet found off when the lines were taken, one per PowerUpGap.</summary>
/// <remarks>Nothing happens at shutdown: relays stay as they are (normally-closed wiring keeps the miners powered without the agent).</remarks>
public sealed class RelayStartupService : BackgroundService
{
    private readonly RelayController? _relays;

    public RelayStartupService(IMinerPower power)
    {
        _relays = power as RelayController;
    }

    /// <summary>
    /// Takes the relay lines (without switching them) when the controller is created, before the host starts, so a
    /// wrong line is reported as a config error naming the key rather than as a failed start with a stack trace.
    /// </summary>
    public static void OpenLines(RelayController relays)
    {
        ArgumentNullException.ThrowIfNull(relays);
        try
        {
            relays.Open();
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            relays.Dispose();
            throw new AgentConfigurationException(
                $"{AgentOptions.SectionName}:Hardware:Relays: cannot take the relay lines: {e.Message.Split(Environment.NewLine)[0]} Check each Line against `gpioinfo`, and that no other program holds them.", e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_relays is null)
        {
            return;
        }

        try
        {
            await _relays.PowerUpRackAsync("staggered power-up after agent start", stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
