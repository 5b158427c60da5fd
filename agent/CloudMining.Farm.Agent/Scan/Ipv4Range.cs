using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Agent.Scan;

/// <summary>An IPv4 CIDR block ("10.0.7.0/24") and the host addresses in it.</summary>
public sealed record Ipv4Range
{
    /// <summary>Blocks larger than this (more than 65 534 hosts) need --force: a typo like /8 would sweep 16 million addresses.</summary>
    public const int LargestWithoutForce = 16;

    private Ipv4Range(uint network, int prefixLength)
    {
        Network = network;
        PrefixLength = prefixLength;
    }

    /// <summary>The network address as a big-endian number.</summary>
    public uint Network { get; }

    public int PrefixLength { get; }

    /// <summary>Addresses a host can have: the network and broadcast addresses are left out for /30 and larger blocks.</summary>
    public long HostCount => PrefixLength >= 31 ? 1L << (32 - PrefixLength) : (1L << (32 - PrefixLength)) - 2;

    /// <summary>Parses "a.b.c.d/n" or a single address (/32); throws <see cref="FormatException"/> saying what to write.</summary>
    public static Ipv4Range Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        int slash = s.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? s : s[..slash];
        bool parsed = IPAddress.TryParse(addressText, out IPAddress? address);
        if (parsed && address!.AddressFamily == AddressFamily.InterNetworkV6)
        {
            throw new FormatException($"'{text}' is IPv6; miners' APIs are scanned over IPv4 (an IPv6 /64 cannot be swept). Write the IPv4 subnet.");
        }

        if (!parsed || address!.AddressFamily != AddressFamily.InterNetwork || addressText.Count(c => c == '.') != 3)
        {
            throw new FormatException($"'{text}' is not an IPv4 block; write the rack's subnet as a.b.c.d/n, e.g. 10.0.7.0/24.");
        }

        int prefix = 32;
        if (slash >= 0 && (!int.TryParse(s.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix is < 0 or > 32))
        {
            throw new FormatException($"'{text}': the prefix length after '/' must be 0 to 32, e.g. 10.0.7.0/24.");
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        return new Ipv4Range(BinaryPrimitives.ReadUInt32BigEndian(bytes) & mask, prefix);
    }

    public IEnumerable<IPAddress> Hosts()
    {
        ulong first = Network;
        ulong last = Network + (1UL << (32 - PrefixLength)) - 1;
        if (PrefixLength < 31)
        {
            first++;
            last--;
        }

        byte[] bytes = new byte[4];
        for (ulong a = first; a <= last; a++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)a);
            yield return new IPAddress(bytes);
        }
    }

    public override string ToString()
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Network);
        return new IPAddress(bytes) + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);
    }
}
