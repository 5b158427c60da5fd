using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.Firmware.Channels.Braiins.Wire;
using CloudMining.Farm.Simulator;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;
using static CloudMining.Farm.Tests.Firmware.Channels.ChannelKit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>
/// Serial numbers of the firmwares that give none on the cgminer API, read through the channel the agent already
/// speaks to each (identity.serialSource): stock Antminer's get_system_info.cgi behind Digest, VNish's GET
/// /api/v1/info (no login, as its API description says), Braiins OS+'s MinerService/GetMinerDetails with the session
/// token; and the simulator refusing exactly what the real firmware refuses.
/// </summary>
public sealed class SerialSourceTests
{
    private const string RightPassword = "Right-Pw-42";

    public static TheoryData<string, string, string> Sources => new()
    {
        { "antminer", WriteChannelNames.BitmainWeb, "get_system_info" },
        { "vnish", WriteChannelNames.VnishRest, "info" },
        { "braiins-os", WriteChannelNames.BraiinsGrpc, BraiinsGrpcChannel.MinerDetailsMethod },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void The_profile_names_the_channel_and_field_as_data(string firmware, string channel, string command)
    {
        FirmwareProfile profile = Profiles.Get(firmware);
        SerialSource source = Assert.IsType<SerialSource>(profile.SerialSource);
        Assert.Equal(channel, WriteChannelNames.Of(source.Channel));
        Assert.Equal(command, source.Command);
        Assert.NotEmpty(source.Fields);
        Assert.Null(Profiles.Get("avalon").SerialSource); // avalon's serial comes with every poll (version DNA)
    }

    [Theory]
    [InlineData("antminer")]
    [InlineData("vnish")]
    [InlineData("braiins-os")]
    public async Task Each_miner_gives_its_own_serial_through_the_real_channel(string firmware)
    {
        await using SimulatedFarm farm = await FarmAsync(firmware, RightPassword, miners: 2);
        MinerWriter writer = Writer();
        var serials = new List<string>();
        foreach (SimulatedMiner m in farm.Miners)
        {
            SerialRead read = await writer.ReadSerialAsync(Target(m, firmware, RightPassword), CancellationToken.None);

            Assert.True(read.Succeeded, read.Error?.ToString());
            Assert.Equal(m.Identity.Serial, read.Serial);
            serials.Add(read.Serial!);
        }

        Assert.Equal(2, serials.Distinct().Count());
        Assert.All(farm.Miners, m => Assert.Equal(0, m.WebWritesReceived + m.GrpcWritesReceived)); // a read changes nothing
    }

    [Theory]
    [InlineData("antminer", ChannelErrorKind.AuthenticationFailed)]
    [InlineData("braiins-os", ChannelErrorKind.AuthenticationFailed)]
    public async Task A_wrong_login_is_a_typed_error_naming_the_miner_and_never_the_password(string firmware, ChannelErrorKind kind)
    {
        await using SimulatedFarm farm = await FarmAsync(firmware, RightPassword);
        SimulatedMiner m = farm.Miners[0];
        const string wrong = "Wrong-Pw-17";

        SerialRead read = await Writer().ReadSerialAsync(Target(m, firmware, wrong), CancellationToken.None);

        Assert.False(read.Succeeded);
        Assert.Null(read.Serial);
        ChannelError error = Assert.IsType<ChannelError>(read.Error);
        Assert.Equal(kind, error.Kind);
        Assert.Contains(m.Id, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", error.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(RightPassword, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_login_configured_sends_nothing_to_the_antminer_and_says_what_to_add()
    {
        await using SimulatedFarm farm = await FarmAsync("antminer", RightPassword);
        SimulatedMiner m = farm.Miners[0];

        SerialRead read = await Writer().ReadSerialAsync(Target(m, "antminer", null), CancellationToken.None);

        Assert.Equal(ChannelErrorKind.MissingCredentials, read.Error?.Kind);
        Assert.Equal(0, m.WebRequestsReceived);
    }

    [Fact]
    public async Task VNish_gives_info_without_a_login_as_its_api_description_says_so_a_wrong_password_costs_no_unlock()
    {
        await using SimulatedFarm farm = await FarmAsync("vnish", RightPassword);
        SimulatedMiner m = farm.Miners[0];

        SerialRead read = await Writer().ReadSerialAsync(Target(m, "vnish", "Wrong-Pw-17"), CancellationToken.None);

        Assert.Equal(m.Identity.Serial, read.Serial);
        Assert.Equal(0, m.VnishUnlocksRefused);
    }

    [Fact]
    public async Task The_simulated_antminer_wants_the_digest_login_for_get_system_info_and_answers_the_stock_keys()
    {
        await using SimulatedFarm farm = await FarmAsync("antminer", RightPassword);
        SimulatedMiner m = farm.Miners[0];
        Uri cgi = new($"http://{m.WebEndPoint}/cgi-bin/get_system_info.cgi");

        using (var anonymous = new HttpClient())
        using (HttpResponseMessage refused = await anonymous.GetAsync(cgi))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.StartsWith("Digest", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var basic = new HttpClient())
        {
            basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("root:Right-Pw-42"u8.ToArray()));
            using HttpResponseMessage refused = await basic.GetAsync(cgi);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode); // lighttpd's digest auth takes no Basic answer
        }

        using var digest = new HttpClient(new HttpClientHandler { Credentials = new CredentialCache { { cgi, "Digest", new NetworkCredential("root", RightPassword) } } });
        using JsonDocument info = JsonDocument.Parse(await digest.GetStringAsync(cgi));
        Assert.Equal(m.Identity.Serial, info.RootElement.GetProperty("serinum").GetString());
        Assert.Equal(m.Model.Name, info.RootElement.GetProperty("minertype").GetString());
        Assert.Equal(m.Identity.Mac, info.RootElement.GetProperty("macaddr").GetString());
    }

    [Fact]
    public async Task The_simulated_vnish_serves_info_to_anyone_but_settings_only_with_a_token()
    {
        await using SimulatedFarm farm = await FarmAsync("vnish", RightPassword);
        SimulatedMiner m = farm.Miners[0];
        using var http = new HttpClient { BaseAddress = new Uri($"http://{m.WebEndPoint}") };

        using JsonDocument info = JsonDocument.Parse(await http.GetStringAsync("/api/v1/info"));
        Assert.Equal(m.Identity.Serial, info.RootElement.GetProperty("serial").GetString());
        foreach (string required in new[] { "miner", "model", "fw_name", "fw_version", "platform", "install_type", "build_time", "algorithm", "hr_measure", "system" })
        {
            Assert.True(info.RootElement.TryGetProperty(required, out _), $"InfoJson requires '{required}'");
        }

        using HttpResponseMessage settings = await http.GetAsync("/api/v1/settings");
        Assert.Equal(HttpStatusCode.Unauthorized, settings.StatusCode);
    }

    [Fact]
    public async Task The_simulated_braiins_os_wants_the_session_token_for_GetMinerDetails()
    {
        await using SimulatedFarm farm = await FarmAsync("braiins-os", RightPassword);
        SimulatedMiner m = farm.Miners[0];
        using GrpcChannel channel = GrpcChannel.ForAddress($"http://{m.GrpcEndPoint}");
        var miner = new MinerService.MinerServiceClient(channel);

        RpcException none = await Assert.ThrowsAsync<RpcException>(async () => await miner.GetMinerDetailsAsync(new GetMinerDetailsRequest()));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        RpcException forged = await Assert.ThrowsAsync<RpcException>(async () =>
            await miner.GetMinerDetailsAsync(new GetMinerDetailsRequest(), new Metadata { { "authorization", "not-a-token" } }));
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);

        LoginResponse login = await new AuthenticationService.AuthenticationServiceClient(channel).LoginAsync(new LoginRequest { Username = "root", Password = RightPassword });
        GetMinerDetailsResponse details = await miner.GetMinerDetailsAsync(new GetMinerDetailsRequest(), new Metadata { { "authorization", login.Token } });
        Assert.Equal(m.Identity.Serial, details.SerialNumber);
        Assert.Equal(m.Identity.Mac, details.MacAddress);
    }

    [Theory]
    [InlineData("channel: cgminer-rpc, command: version, fields: [x]", "identity.serialSource.channel")]
    [InlineData("channel: braiins-grpc, command: MinerService/GetMinerStats, fields: [serial_number]", "GetMinerDetails")]
    [InlineData("channel: braiins-grpc, command: MinerService/GetMinerDetails, fields: [serial]", "no text field serial")]
    [InlineData("channel: bitmain-web, command: get_system_info, fields: []", "identity.serialSource.fields")]
    [InlineData("channel: bitmain-web, fields: [serinum]", "identity.serialSource.command")]
    public void A_serial_source_the_agent_cannot_read_is_refused_when_the_profile_loads(string source, string expected)
    {
        string yaml = $"name: probe\nread:\n  commands: [version]\nidentity:\n  serialSource: {{ {source} }}\n";

        FirmwareProfileException e = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(yaml, "probe.yaml"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static Task<SimulatedFarm> FarmAsync(string firmware, string password, int miners = 1) =>
        Tests.Simulator.TestFarms.StartAsync(firmware, miners: miners, writeAccess: true, permissiveRpcWrites: false,
            customize: (_, s) => s with { WebPort = 0, PermissiveRpcWrites = false, WebPassword = password, VnishPassword = password });

    private static ChannelTarget Target(SimulatedMiner m, string firmware, string? password)
    {
        FirmwareProfile profile = Profiles.Get(firmware);
        return new ChannelTarget(m.Id, m.Endpoint, profile)
        {
            WebPort = m.WebEndPoint!.Port,
            Credential = password is null ? null : new MinerCredential(profile.Web.DefaultUser, password),
        };
    }
}
