using System.Diagnostics;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>TLS to a real mosquitto with certificates made by the openssl CLI for this test run.</summary>
[Trait("Category", "Integration")]
public sealed class MqttTlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("farm-tls-").FullName;

    private string File(string name) => Path.Combine(_folder, name);

    public async Task InitializeAsync()
    {
        await OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File("ca.key"), "-out", File("ca.crt"), "-days", "2", "-subj", "/CN=farm-test-ca");
        await OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File("other-ca.key"), "-out", File("other-ca.crt"), "-days", "2", "-subj", "/CN=someone-else-ca");
        await System.IO.File.WriteAllTextAsync(File("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        await IssueAsync("server", "/CN=farm-broker", File("server.ext"));
        await System.IO.File.WriteAllTextAsync(File("client.ext"), "extendedKeyUsage=clientAuth\n");
        await IssueAsync("client", "/CN=agent-s1-r1", File("client.ext"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Client_trusting_the_right_ca_connects_over_tls_and_exchanges_messages()
    {
        await using MosquittoBroker broker = await StartTlsBrokerAsync(requireClientCertificate: false);
        await using FarmMqttClient client = await ConnectAsync(broker, new MqttClientTlsOptions { CaFile = File("ca.crt") });
        var received = new MqttMessageCollector(client);
        await client.SubscribeAsync("tls/echo");
        await client.PublishAsync(new MqttApplicationMessage { Topic = "tls/echo", Payload = "over tls"u8.ToArray() });
        Assert.True(await Eventually.TrueAsync(() => received.Texts.Contains("over tls"), TimeSpan.FromSeconds(10)));
        Assert.StartsWith("mqtts://", client.Options.Endpoint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_from_another_ca_is_a_clear_tls_error()
    {
        await using MosquittoBroker broker = await StartTlsBrokerAsync(requireClientCertificate: false);
        var error = await Assert.ThrowsAsync<MqttTlsException>(() => ConnectAsync(broker, new MqttClientTlsOptions { CaFile = File("other-ca.crt") }));
        Assert.Contains("not signed by the CA in", error.Message, StringComparison.Ordinal);
        Assert.Contains("other-ca.crt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_for_another_host_name_is_a_clear_tls_error()
    {
        await using MosquittoBroker broker = await StartTlsBrokerAsync(requireClientCertificate: false);
        var error = await Assert.ThrowsAsync<MqttTlsException>(() => ConnectAsync(broker, new MqttClientTlsOptions { CaFile = File("ca.crt"), TargetHost = "mqtt.wrong.example" }));
        Assert.Contains("not issued to host name 'mqtt.wrong.example'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_requiring_a_client_certificate_accepts_ours_and_refuses_none()
    {
        await using MosquittoBroker broker = await StartTlsBrokerAsync(requireClientCertificate: true);
        await using FarmMqttClient withCertificate = await ConnectAsync(broker, new MqttClientTlsOptions { CaFile = File("ca.crt"), ClientCertificateFile = File("client.crt"), ClientKeyFile = File("client.key") });
        Assert.True(withCertificate.IsConnected);

        await Assert.ThrowsAnyAsync<MqttCommunicationException>(() => ConnectAsync(broker, new MqttClientTlsOptions { CaFile = File("ca.crt") }));
    }

    private async Task<MosquittoBroker> StartTlsBrokerAsync(bool requireClientCertificate) =>
        await MosquittoBroker.StartAsync(
            $"allow_anonymous true\ncertfile {File("server.crt")}\nkeyfile {File("server.key")}\ncafile {File("ca.crt")}\nrequire_certificate {(requireClientCertificate ? "true" : "false")}");

    private static async Task<FarmMqttClient> ConnectAsync(MosquittoBroker broker, MqttClientTlsOptions tls)
    {
        var client = new FarmMqttClient(MqttTestClients.Options(broker, "tls-" + Guid.NewGuid().ToString("N")[..6]).WithTls(tls).Build());
        try
        {
            await client.ConnectAsync();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task IssueAsync(string name, string subject, string extensions)
    {
        await OpenSslAsync("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File(name + ".key"), "-out", File(name + ".csr"), "-subj", subject);
        await OpenSslAsync("x509", "-req", "-in", File(name + ".csr"), "-CA", File("ca.crt"), "-CAkey", File("ca.key"), "-CAcreateserial", "-out", File(name + ".crt"), "-days", "2", "-extfile", extensions);
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        using Process openssl = Process.Start(new ProcessStartInfo("openssl", args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        Task<string> errors = openssl.StandardError.ReadToEndAsync();
        await openssl.StandardOutput.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        Assert.True(openssl.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {await errors}");
    }
}
