using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using CloudMining.Farm.Mqtt.Client;

namespace CloudMining.Farm.Bench.Controller;

/// <summary>Which load generator stands in for the farm's agents in the through-mosquitto phase.</summary>
internal enum IngestPublisher
{
    /// <summary>Our <see cref="FarmMqttClient"/> (MQTTnet) in the bench process: as before, its CPU mixed with the controller's.</summary>
    MqttNet,

    /// <summary>
    /// Pre-encoded MQTT 3.1.1 QoS 0 PUBLISH packets written with large blocking sends on dedicated threads of the bench
    /// process; each thread's own CPU time is measured, so the controller's is the process's less theirs.
    /// </summary>
    Raw,

    /// <summary>Debian's C client, <c>mosquitto_pub -l</c>, one process per miner topic (it publishes to one topic).</summary>
    MosquittoPub,
}

/// <summary>
/// Cheap publishers for the controller-ingest harness: the agents of a real farm run on other machines, so the load
/// generator should cost the controller's cores as little as possible and its CPU should be told apart from the
/// controller's. Not a client: it writes bytes and never reads after CONNACK.
/// </summary>
internal static partial class IngestLoad
{
    public static IngestPublisher Parse(string text) => text switch
    {
        "mqttnet" => IngestPublisher.MqttNet,
        "raw" => IngestPublisher.Raw,
        "mosquitto_pub" => IngestPublisher.MosquittoPub,
        _ => throw new ArgumentException($"--publisher '{text}' is not one of mqttnet, raw, mosquitto_pub."),
    };

    /// <summary>
    /// The messages split over <paramref name="publishers"/> connections by miner (message i is miner i % miners), so each
    /// miner's messages keep their order on one connection and the duplicate filter drops none.
    /// </summary>
    public static MqttApplicationMessage[][] ByMiner(MqttApplicationMessage[] data, int miners, int publishers)
    {
        var parts = new List<MqttApplicationMessage>[publishers];
        for (int p = 0; p < publishers; p++)
        {
            parts[p] = new List<MqttApplicationMessage>((data.Length / publishers) + 1);
        }

        for (int i = 0; i < data.Length; i++)
        {
            parts[i % miners % publishers].Add(data[i]);
        }

        return [.. parts.Select(p => p.ToArray())];
    }

    /// <summary>
    /// Publishes every part on its own connection and thread (QoS 0, MQTT 3.1.1, pre-encoded, sends of up to 256 KB);
    /// returns the CPU those threads used (user + system), encoding included.
    /// </summary>
    public static TimeSpan PublishRaw(int port, MqttApplicationMessage[][] parts)
    {
        var cpu = new long[parts.Length];
        var failures = new Exception?[parts.Length];
        Thread[] threads = [.. parts.Select((part, index) => new Thread(() =>
        {
            TimeSpan before = ThreadCpu();
            try
            {
                SendAll(port, "bench-raw-" + index.ToString(CultureInfo.InvariantCulture), part);
            }
#pragma warning disable CA1031 // Reported by the caller, with the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures[index] = ex;
            }

            cpu[index] = (ThreadCpu() - before).Ticks;
        }) { IsBackground = true, Name = "bench-raw-publisher" })];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw new InvalidOperationException($"A raw publisher failed: {failure.Message}", failure);
        }

        return TimeSpan.FromTicks(cpu.Sum());
    }

    private static void SendAll(int port, string clientId, MqttApplicationMessage[] messages)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 1 << 20 };
        socket.Connect(IPAddress.Loopback, port);
        byte[] id = Encoding.UTF8.GetBytes(clientId);

        // CONNECT, MQTT 3.1.1, clean session, no keep-alive.
        var connect = new List<byte> { 0x10 };
        int connectBody = 10 + 2 + id.Length;
        AppendLength(connect, connectBody);
        connect.AddRange([0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x00, (byte)(id.Length >> 8), (byte)id.Length]);
        connect.AddRange(id);
        socket.Send(connect.ToArray());
        var connAck = new byte[4];
        int got = 0;
        while (got < 4)
        {
            int n = socket.Receive(connAck, got, 4 - got, SocketFlags.None);
            got += n > 0 ? n : throw new InvalidOperationException("mosquitto closed the connection before CONNACK.");
        }

        if (connAck[0] != 0x20 || connAck[3] != 0)
        {
            throw new InvalidOperationException($"mosquitto refused the raw publisher: CONNACK {Convert.ToHexString(connAck)}.");
        }

        const int Chunk = 256 * 1024;
        var buffer = new byte[Chunk + FarmMqttLimitsPacket];
        int used = 0;
        var topic = new byte[1024];
        foreach (MqttApplicationMessage message in messages)
        {
            int topicLength = Encoding.UTF8.GetBytes(message.Topic, topic);
            int remaining = 2 + topicLength + message.Payload.Length;
            if (used > 0 && used + 5 + remaining > Chunk)
            {
                socket.Send(buffer.AsSpan(0, used));
                used = 0;
            }

            buffer[used++] = 0x30;
            used += WriteLength(buffer.AsSpan(used), remaining);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(used), (ushort)topicLength);
            used += 2;
            topic.AsSpan(0, topicLength).CopyTo(buffer.AsSpan(used));
            used += topicLength;
            message.Payload.Span.CopyTo(buffer.AsSpan(used));
            used += message.Payload.Length;
        }

        buffer[used++] = 0xE0;
        buffer[used++] = 0x00;
        socket.Send(buffer.AsSpan(0, used));
        socket.Shutdown(SocketShutdown.Send);

        // Wait for mosquitto to close after DISCONNECT, so every byte was read before this connection goes.
        var drain = new byte[64];
        while (socket.Receive(drain) > 0)
        {
        }
    }

    // Room for one largest bench message beyond the chunk.
    private const int FarmMqttLimitsPacket = 1 << 20;

    private static void AppendLength(List<byte> target, int length)
    {
        Span<byte> bytes = stackalloc byte[4];
        int n = WriteLength(bytes, length);
        for (int i = 0; i < n; i++)
        {
            target.Add(bytes[i]);
        }
    }

    private static int WriteLength(Span<byte> target, int length)
    {
        int n = 0;
        do
        {
            byte digit = (byte)(length % 128);
            length /= 128;
            target[n++] = length > 0 ? (byte)(digit | 0x80) : digit;
        }
        while (length > 0);
        return n;
    }

    /// <summary>
    /// Starts one <c>mosquitto_pub -l</c> per part (each part one topic: its lines are the payloads, read from a file so
    /// the bench process does not feed them); returns once all exited, with their CPU (getrusage of the reaped children).
    /// </summary>
    public static async Task<TimeSpan> PublishWithMosquittoPubAsync(int port, MqttApplicationMessage[][] parts)
    {
        string folder = Directory.CreateTempSubdirectory("farm-bench-pub-").FullName;
        try
        {
            var files = new List<(string Topic, string File)>();
            for (int p = 0; p < parts.Length; p++)
            {
                if (parts[p].Length == 0)
                {
                    continue;
                }

                string topic = parts[p][0].Topic;
                if (parts[p].Any(m => m.Topic != topic))
                {
                    throw new ArgumentException("--publisher mosquitto_pub publishes each process's messages on one topic: give --publishers equal to --miners.");
                }

                string file = Path.Combine(folder, p.ToString(CultureInfo.InvariantCulture) + ".lines");
                await using (FileStream stream = File.Create(file))
                {
                    foreach (MqttApplicationMessage message in parts[p])
                    {
                        if (message.Payload.Span.Contains((byte)'\n'))
                        {
                            throw new ArgumentException("A payload holds a newline; mosquitto_pub -l would split it.");
                        }

                        await stream.WriteAsync(message.Payload);
                        stream.WriteByte((byte)'\n');
                    }
                }

                files.Add((topic, file));
            }

            TimeSpan childrenBefore = ChildrenCpu();
            Process[] processes = [.. files.Select((f, i) => Process.Start(new ProcessStartInfo("/bin/sh",
            [
                "-c",
                "exec mosquitto_pub -h 127.0.0.1 -p \"$1\" -q 0 -i \"$2\" -t \"$3\" -l < \"$4\"",
                "sh",
                port.ToString(CultureInfo.InvariantCulture),
                "bench-pub-" + i.ToString(CultureInfo.InvariantCulture),
                f.Topic,
                f.File,
            ]) { UseShellExecute = false }) ?? throw new InvalidOperationException("mosquitto_pub did not start: apt-get install mosquitto-clients"))];
            foreach (Process process in processes)
            {
                await process.WaitForExitAsync();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"mosquitto_pub exited with {process.ExitCode}.");
                }

                process.Dispose();
            }

            return ChildrenCpu() - childrenBefore;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>CPU (user + system) of this thread so far.</summary>
    public static TimeSpan ThreadCpu() => Rusage(1);

    /// <summary>CPU (user + system) of this process's children that have exited and been reaped.</summary>
    public static TimeSpan ChildrenCpu() => Rusage(-1);

    private static TimeSpan Rusage(int who) =>
        GetRusage(who, out RUsage usage) != 0
            ? TimeSpan.Zero
            : TimeSpan.FromMicroseconds((usage.UserSeconds * 1e6) + usage.UserMicroseconds + (usage.SystemSeconds * 1e6) + usage.SystemMicroseconds);

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out RUsage usage);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private unsafe fixed long _rest[14];
    }
}
