using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Simulator;

/// <summary>Counting through 127.0.0.0/8: every address there routes to lo on Linux, so each miner can have its own.</summary>
public static class LoopbackAddresses
{
    /// <summary>The next address after <paramref name="address"/>, skipping host parts .0 and .255 so addresses look like real hosts.</summary>
    public static IPAddress Next(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not IPv4; simulated miners live in 127.0.0.0/8.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        uint value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        do
        {
            value++;
        }
        while ((value & 0xFF) is 0 or 255);

        if ((value >> 24) != 127)
        {
            throw new InvalidOperationException($"Ran out of loopback addresses after {address}; start from a lower --base.");
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
