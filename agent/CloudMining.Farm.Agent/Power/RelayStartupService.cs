using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Gpio;
using Microsoft.Extensions.Hosting;

namespace CloudMining.Farm.Agent.Power;

/// <summary>At agent start: takes the relay lines without switching them, then powers up every outlet found off, one per PowerUpGap.</summary>
/// <remarks>Nothing happens at shutdown: relays stay as they are (normally-closed wiring keeps the miners powered without the agent).</remarks>
public sealed class RelayStartupService : BackgroundService
{
    private readonly RelayController? relays;

    public RelayStartupService(IMinerPower power)
    {
        relays = power as RelayController;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (relays is null)
        {
            return Task.CompletedTask;
        }

        try
        {
            relays.Open();
        }
        catch (Exception e) when (e is GpioChipException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            throw new AgentConfigurationException(
                $"{AgentOptions.SectionName}:Hardware:Relays: cannot take the relay lines: {e.Message} Check each Line against `gpioinfo`, and that no other program holds them.", e);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await relays!.PowerUpRackAsync("staggered power-up after agent start", stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
