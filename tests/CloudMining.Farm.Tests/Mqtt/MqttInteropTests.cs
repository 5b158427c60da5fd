using System.Diagnostics;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>Our client against the reference implementations: mosquitto's C clients and python paho, byte for byte.</summary>
[Trait("Category", "Integration")]
public sealed class MqttInteropTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    // Every byte value, plus a UTF-8 invalid sequence and NULs: payloads are opaque bytes.
    private static readonly byte[] Binary = [.. Enumerable.Range(0, 256).Select(i => (byte)i), 0xC3, 0x28, 0x00, 0x00, 0xFF, .. "{\"seq\":1}"u8];

    [Fact]
    public async Task Mosquitto_sub_receives_our_binary_payload_byte_for_byte()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using (FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "ours"))
        {
            // Retained, so mosquitto_sub receives it whenever it finishes subscribing: no race to wait out.
            await publisher.PublishAsync(new MqttApplicationMessage { Topic = "interop/to-c", Payload = Binary, Retain = true });
        }

        (int exit, byte[] output) = await RunAsync("mosquitto_sub", "-h", broker.Host, "-p", Port(broker), "-t", "interop/to-c", "-C", "1", "-N", "-q", "1");
        Assert.Equal(0, exit);
        Assert.Equal(Binary, output);
    }

    [Fact]
    public async Task Our_client_receives_mosquitto_pub_binary_file_byte_for_byte()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient subscriber = await MqttTestClients.ConnectAsync(broker, "ours");
        var received = new MqttMessageCollector(subscriber);
        await subscriber.SubscribeAsync("interop/from-c");
        string file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, Binary);

        (int exit, _) = await RunAsync("mosquitto_pub", "-h", broker.Host, "-p", Port(broker), "-t", "interop/from-c", "-f", file, "-q", "1");
        Assert.Equal(0, exit);
        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count == 1, Wait));
        Assert.Equal(Binary, received.Messages[0].Payload.ToArray());
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, received.Messages[0].Qos);
        File.Delete(file);
    }

    [Fact]
    public async Task Paho_receives_our_payload_and_we_receive_pahos_byte_for_byte()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string script = Path.Combine(RepoPaths.Root, "tests", "bench-scripts", "paho_tool.py");
        string outFile = Path.GetTempFileName();

        // paho subscribes and says READY once its SUBACK arrived; then we publish.
        var receive = new ProcessStartInfo(Python, [script, "receive", broker.Host, Port(broker), "interop/to-paho", outFile]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process paho = Process.Start(receive)!;
        string? ready = await paho.StandardOutput.ReadLineAsync().WaitAsync(Wait);
        Assert.Equal("READY", ready);
        await using FarmMqttClient ours = await MqttTestClients.ConnectAsync(broker, "ours");
        await ours.PublishAsync(new MqttApplicationMessage { Topic = "interop/to-paho", Payload = Binary });
        await paho.WaitForExitAsync().WaitAsync(Wait);
        Assert.True(paho.ExitCode == 0, await paho.StandardError.ReadToEndAsync());
        Assert.Equal(Binary, await File.ReadAllBytesAsync(outFile));

        var received = new MqttMessageCollector(ours);
        await ours.SubscribeAsync("interop/from-paho");
        await File.WriteAllBytesAsync(outFile, Binary.Reverse().ToArray());
        (int exit, _) = await RunAsync(Python, script, "publish", broker.Host, Port(broker), "interop/from-paho", outFile, "--qos", "1");
        Assert.Equal(0, exit);
        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count == 1, Wait));
        Assert.Equal(Binary.Reverse().ToArray(), received.Messages[0].Payload.ToArray());
        File.Delete(outFile);
    }

    // python3-paho-mqtt is a Debian package: the system interpreter has it even when a pyenv shim comes first in PATH.
    private static string Python => System.IO.File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static string Port(MosquittoBroker broker) => broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(int Exit, byte[] Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(start)!;
        using var output = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Wait);
        await copy;
        Assert.True(process.ExitCode == 0, $"{file} exited {process.ExitCode}: {await errors}");
        return (process.ExitCode, output.ToArray());
    }
}
