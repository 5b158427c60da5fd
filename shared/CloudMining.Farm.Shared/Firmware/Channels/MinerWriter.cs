using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// The front of the write channels (as GpioController is to its drivers): finds the channel a miner's firmware profile
/// routes an operation to and runs it there. Thread-safe; one instance serves the whole rack.
/// </summary>
public sealed class MinerWriter
{
    private readonly Dictionary<WriteChannelKind, WriteChannel> _channels;

    public MinerWriter(IEnumerable<WriteChannel> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        _channels = channels.ToDictionary(c => c.Kind);
    }

    /// <summary>Every channel the agent speaks, with the given API client and network timeout.</summary>
    public static MinerWriter Create(MinerApiClient client, TimeSpan timeout) =>
        new([
            new CgminerRpcChannel(new ActionRunner(client)),
            new BitmainWebChannel(timeout),
            new CgminerSessionChannel(client),
            new VnishRestChannel(timeout),
            new WhatsminerV2Channel(timeout),
            new WhatsminerV3Channel(timeout),
            new BraiinsGrpcChannel(timeout),
        ]);

    /// <summary>The channel the profile routes <paramref name="operation"/> to, or null when the profile has no route or the channel is not installed.</summary>
    public WriteChannel? ChannelFor(FirmwareProfile profile, MinerOperation operation)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Route(operation) is { } route && _channels.TryGetValue(route.Channel, out WriteChannel? channel) ? channel : null;
    }

    /// <summary>Runs a parameterless operation through the profile's channel for it.</summary>
    public Task<ChannelResult> RunAsync(ChannelTarget target, MinerOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (operation is MinerOperation.SetPools or MinerOperation.SetPowerTarget)
        {
            throw new ArgumentException($"{operation} takes a value; use {(operation == MinerOperation.SetPools ? nameof(SetPoolsAsync) : nameof(SetPowerTargetAsync))}.", nameof(operation));
        }

        return Routed(target, operation, out OperationRoute? route) is { } channel
            ? channel.RunAsync(target, route!, cancellationToken)
            : Task.FromResult(NoRoute(target, operation));
    }

    /// <summary>Writes the whole pool list through a whole-list channel.</summary>
    public Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Routed(target, MinerOperation.SetPools, out _) is { } channel
            ? channel.SetPoolsAsync(target, pools, cancellationToken)
            : Task.FromResult(NoRoute(target, MinerOperation.SetPools));
    }

    /// <summary>Runs one step of a planned pool change through a command-by-command channel.</summary>
    public Task<ChannelResult> RunPoolStepAsync(ChannelTarget target, ProfileAction action, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Routed(target, MinerOperation.SetPools, out _) is { } channel
            ? channel.RunPoolStepAsync(target, action, values, cancellationToken)
            : Task.FromResult(NoRoute(target, MinerOperation.SetPools));
    }

    public Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Routed(target, MinerOperation.SetPowerTarget, out OperationRoute? route) is { } channel
            ? channel.SetPowerTargetAsync(target, route!, power, cancellationToken)
            : Task.FromResult(NoRoute(target, MinerOperation.SetPowerTarget));
    }

    /// <summary>Reads the unit's serial through the channel the profile's <c>identity.serialSource</c> names.</summary>
    public Task<SerialRead> ReadSerialAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Profile.SerialSource is not { } source)
        {
            return Task.FromResult(SerialRead.Failed("none", new ChannelError(ChannelErrorKind.NotSupported, target.MinerId, "none",
                $"the firmware profile '{target.Profile.Name}' names no serial source", $"add identity.serialSource to {Path.GetFileName(target.Profile.SourceFile)} if the firmware gives its serial off the cgminer API")));
        }

        return _channels.TryGetValue(source.Channel, out WriteChannel? channel)
            ? channel.ReadSerialAsync(target, source, cancellationToken)
            : Task.FromResult(SerialRead.Failed(WriteChannelNames.Of(source.Channel), new ChannelError(ChannelErrorKind.NotSupported, target.MinerId, WriteChannelNames.Of(source.Channel),
                "the channel is not installed in this writer", "build the writer with MinerWriter.Create")));
    }

    private WriteChannel? Routed(ChannelTarget target, MinerOperation operation, out OperationRoute? route)
    {
        route = target.Profile.Route(operation);
        return route is not null && _channels.TryGetValue(route.Channel, out WriteChannel? channel) ? channel : null;
    }

    private static ChannelResult NoRoute(ChannelTarget target, MinerOperation operation)
    {
        string name = WriteChannelNames.Of(operation);
        return ChannelResult.NotSupported(operation, "none", target, $"the firmware profile '{target.Profile.Name}' has no channel for {name}",
            $"add '{name}' under operations: in {Path.GetFileName(target.Profile.SourceFile)} if the firmware can do it (see docs/firmware-profiles.md)");
    }
}
