using System.Text;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.MinerApi;

/// <summary>The TCP conversation with a miner, against a real listener on 127.0.0.1.</summary>
public sealed class MinerApiClientTests
{
    private const string Summary = """{"STATUS":[{"STATUS":"S","When":1600000000,"Code":11,"Msg":"Summary","Description":"cgminer 4.9.0"}],"SUMMARY":[{"Elapsed":42,"MHS 5s":13500000.5}],"id":1}""";

    private static readonly MinerApiClientOptions Fast = new() { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromMilliseconds(500), MaxReplyBytes = 64 * 1024 };

    [Fact]
    public async Task Reply_split_across_many_writes_is_read_to_the_end()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Summary + "\0");
        var chunks = bytes.Chunk(7).ToArray();
        await using var miner = new LoopbackMiner(_ => new LoopbackMiner.Reply(chunks));
        var client = new MinerApiClient(Fast);

        using ApiReplySet set = await client.SendAsync(new MinerEndpoint("127.0.0.1", miner.Port), "summary", cancellationToken: TestContext());

        ApiReplyResult result = Assert.Single(set.Results);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.True(result.Reply!.TryGetSection("SUMMARY", out var s));
        Assert.Equal(13500000.5, s[0].GetProperty("MHS 5s").GetDouble());
    }

    [Fact]
    public async Task Request_is_sent_as_cgminer_json_with_parameter()
    {
        await using var miner = new LoopbackMiner(_ => LoopbackMiner.Reply.Of(Summary));
        var client = new MinerApiClient(Fast);

        using ApiReplySet _ = await client.SendAsync(new MinerEndpoint("127.0.0.1", miner.Port), "switchpool", "1", cancellationToken: TestContext());

        Assert.True(miner.Requests.TryPeek(out string? request));
        Assert.Equal("""{"command":"switchpool","parameter":"1"}""", request);
    }

    [Fact]
    public async Task Plain_text_request_is_command_pipe_parameter()
    {
        await using var miner = new LoopbackMiner(_ => LoopbackMiner.Reply.Of("STATUS=S,When=1,Code=7,Msg=1 Pool(s),Description=x|POOL=0,URL=stratum+tcp://p:3333,User=w|"));
        var client = new MinerApiClient(Fast);

        using ApiReplySet set = await client.SendAsync(new MinerEndpoint("127.0.0.1", miner.Port), "pools", "0", plainText: true, cancellationToken: TestContext());

        Assert.True(miner.Requests.TryPeek(out string? request));
        Assert.Equal("pools|0", request);
        Assert.True(set.First.IsSuccess, set.First.Error?.ToString());
    }

    [Fact]
    public async Task Miner_that_never_closes_the_connection_is_a_timeout()
    {
        await using var miner = new LoopbackMiner(_ => new LoopbackMiner.Reply([Encoding.UTF8.GetBytes("{\"STATUS\":")], HoldOpen: true));
        var client = new MinerApiClient(Fast);
        var endpoint = new MinerEndpoint("127.0.0.1", miner.Port);

        var ex = await Assert.ThrowsAsync<MinerApiException>(() => client.SendAsync(endpoint, "summary", cancellationToken: TestContext()));

        Assert.Equal(MinerApiErrorKind.Timeout, ex.Error.Kind);
        Assert.Equal("summary", ex.Error.Command);
        Assert.Contains(endpoint.ToString(), ex.Error.Message, StringComparison.Ordinal);
        Assert.Contains("10 bytes", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_over_the_cap_is_refused_as_too_large()
    {
        await using var miner = new LoopbackMiner(_ => LoopbackMiner.Reply.Of(new string('x', 5000)));
        var client = new MinerApiClient(Fast with { MaxReplyBytes = 1000 });

        var ex = await Assert.ThrowsAsync<MinerApiException>(() => client.SendAsync(new MinerEndpoint("127.0.0.1", miner.Port), "stats", cancellationToken: TestContext()));

        Assert.Equal(MinerApiErrorKind.ReplyTooLarge, ex.Error.Kind);
        Assert.Contains("1000", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_exactly_at_the_cap_is_accepted()
    {
        string body = Summary.PadRight(1000, ' ');
        await using var miner = new LoopbackMiner(_ => LoopbackMiner.Reply.Of(body));
        var client = new MinerApiClient(Fast with { MaxReplyBytes = 1000 });

        byte[] raw = await client.SendRawAsync(new MinerEndpoint("127.0.0.1", miner.Port), "summary", cancellationToken: TestContext());

        Assert.Equal(1000, raw.Length);
    }

    [Fact]
    public async Task Refused_port_is_unreachable()
    {
        int port = FreeTcpPort.Next();
        var client = new MinerApiClient(Fast);

        var ex = await Assert.ThrowsAsync<MinerApiException>(() => client.SendAsync(new MinerEndpoint("127.0.0.1", port), "summary", cancellationToken: TestContext()));

        Assert.Equal(MinerApiErrorKind.Unreachable, ex.Error.Kind);
        Assert.Contains($"127.0.0.1:{port}", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_stops_the_read_and_is_not_a_miner_fault()
    {
        await using var miner = new LoopbackMiner(_ => new LoopbackMiner.Reply([], HoldOpen: true));
        var client = new MinerApiClient(Fast with { ReadTimeout = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource();
        Task<ApiReplySet> read = client.SendAsync(new MinerEndpoint("127.0.0.1", miner.Port), "summary", cancellationToken: cts.Token);

        Assert.True(await Eventually.TrueAsync(() => !miner.Requests.IsEmpty, TimeSpan.FromSeconds(5)), "the request never reached the miner");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task Status_E_makes_ExecuteAsync_throw_a_command_error_naming_the_endpoint()
    {
        await using var miner = new LoopbackMiner(_ => LoopbackMiner.Reply.Of("""{"STATUS":[{"STATUS":"E","When":1,"Code":45,"Msg":"Access denied to 'addpool' command","Description":"cgminer"}],"id":1}"""));
        var client = new MinerApiClient(Fast);
        var endpoint = new MinerEndpoint("127.0.0.1", miner.Port);

        var ex = await Assert.ThrowsAsync<MinerApiException>(() => client.ExecuteAsync(endpoint, "addpool", "stratum+tcp://p:3333,w,x", cancellationToken: TestContext()));

        Assert.Equal(MinerApiErrorKind.AccessDenied, ex.Error.Kind);
        Assert.StartsWith(endpoint.ToString(), ex.Error.Message, StringComparison.Ordinal);
    }

    private static CancellationToken TestContext() => CancellationToken.None;
}
