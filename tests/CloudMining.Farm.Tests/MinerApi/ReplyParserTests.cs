using System.Text;
using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;
using Xunit;

namespace CloudMining.Farm.Tests.MinerApi;

/// <summary>The wire quirks of real firmwares, as synthetic byte strings.</summary>
public sealed class ReplyParserTests
{
    private const string Status = """{"STATUS":[{"STATUS":"S","When":1600000000,"Code":11,"Msg":"Summary","Description":"cgminer 4.9.0"}]""";

    [Fact]
    public void Valid_reply_gives_status_and_case_insensitive_sections()
    {
        using ApiReplySet set = Parse(Status + ""","SUMMARY":[{"MHS 5s":12.5}],"id":1}""", "summary");
        ApiReply reply = Success(set);
        Assert.Equal(ApiStatusSeverity.Success, reply.Status!.Severity);
        Assert.Equal(11, reply.Status.Code);
        Assert.Equal(1600000000, reply.Status.When);
        Assert.Equal("cgminer 4.9.0", reply.Status.Description);
        Assert.True(reply.TryGetSection("summary", out JsonElement section));
        Assert.Equal(12.5, section[0].GetProperty("MHS 5s").GetDouble());
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\0\0\0")]
    [InlineData("\n")]
    [InlineData(" \r\n\0")]
    public void Trailing_NUL_and_whitespace_are_ignored(string tail)
    {
        using ApiReplySet set = Parse(Status + ""","SUMMARY":[{"Elapsed":5}],"id":1}""" + tail, "summary");
        Assert.True(Success(set).TryGetSection("SUMMARY", out _));
    }

    [Fact]
    public void Concatenated_objects_inside_an_array_are_separated()
    {
        using ApiReplySet set = Parse(Status + ""","STATS":[{"Type":"Antminer S9"}{"STATS":0,"GHS 5s":"13500.1"}],"id":1}""", "stats");
        ApiReply reply = Success(set);
        Assert.True(reply.TryGetSection("STATS", out JsonElement stats));
        Assert.Equal(2, stats.GetArrayLength());
        Assert.Equal("13500.1", stats[1].GetProperty("GHS 5s").GetString());
    }

    [Fact]
    public void Concatenated_top_level_objects_are_merged_so_every_section_is_reachable()
    {
        string temps = """{"STATUS":[{"STATUS":"S","Code":201}],"TEMPS":[{"ID":6,"Board":53.0}],"id":1}""";
        string fans = """{"STATUS":[{"STATUS":"S","Code":202}],"FANS":[{"ID":0,"RPM":1560}],"id":1}""";
        using ApiReplySet set = Parse(temps + fans, "temps");
        ApiReply reply = Success(set);
        Assert.True(reply.TryGetSection("TEMPS", out _));
        Assert.True(reply.TryGetSection("FANS", out JsonElement f));
        Assert.Equal(1560, f[0].GetProperty("RPM").GetInt32());
    }

    [Theory]
    [InlineData("""{"a":1 "b":2}""", "missing comma between members")]
    [InlineData("""{"a":"it\'s"}""", "invalid escape")]
    [InlineData("{\"a\":\"line\nbreak\"}", "raw control character")]
    [InlineData("""{"a":[1,2,],}""", "trailing commas")]
    [InlineData("""{"a":1}"}""", "trailing garbage")]
    [InlineData("""{"a":-nan}""", "bare word")]
    public void Invalid_json_quirks_are_repaired(string body, string quirk)
    {
        using ApiReplySet set = Parse(body, "stats");
        Assert.True(set.First.IsSuccess, $"{quirk}: {set.First.Error}");
        Assert.True(set.First.Reply!.Root.TryGetProperty("a", out _));
    }

    [Fact]
    public void Raw_newline_inside_a_string_is_kept_as_an_escaped_newline()
    {
        using ApiReplySet set = Parse("{\"STATUS\":[{\"STATUS\":\"S\"}],\"POOLS\":[{\"Last Share Time\":\"Tue Jun 16\n\"}]}", "pools");
        Assert.Equal("Tue Jun 16\n", Success(set).Root.GetProperty("POOLS")[0].GetProperty("Last Share Time").GetString());
    }

    [Fact]
    public void Invalid_escape_keeps_the_character()
    {
        using ApiReplySet set = Parse("""{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"Firmware Version":"\'20200917.22.REL\'"}]}""", "summary");
        Assert.Equal("'20200917.22.REL'", Success(set).Root.GetProperty("SUMMARY")[0].GetProperty("Firmware Version").GetString());
    }

    [Theory]
    [InlineData("""{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"a":1""", 44)]
    [InlineData("""{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"a" 1}]}""", 43)]
    [InlineData("""{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"a":"never closed}]}""", 43)]
    public void Unrepairable_reply_is_a_malformed_error_with_position_and_excerpt(string body, int position)
    {
        using ApiReplySet set = Parse(body, "summary");
        MinerApiError error = Failure(set, MinerApiErrorKind.MalformedReply);
        Assert.Equal(position, error.Position);
        Assert.False(string.IsNullOrEmpty(error.Excerpt));
        Assert.DoesNotContain('\n', error.Excerpt);
        Assert.Equal("summary", error.Command);
        Assert.Contains("summary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Excerpt_shows_control_bytes_as_hex()
    {
        string excerpt = ReplyParser.Excerpt("ab\u0001cd"u8, 2);
        Assert.Equal("ab\\x01cd", excerpt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\0")]
    [InlineData("   ")]
    public void Empty_reply_is_malformed(string body)
    {
        using ApiReplySet set = Parse(body, "pools");
        MinerApiError error = Failure(set, MinerApiErrorKind.MalformedReply);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_reply_becomes_the_json_shape()
    {
        const string text = "STATUS=S,When=1598131826,Code=7,Msg=2 Pool(s),Description=sgminer 5.5.6|POOL=0,URL=stratum+tcp://a.pool:3333,Status=Alive,Priority=0,User=w1,Accepted=12|POOL=1,URL=stratum+tcp://b.pool:3333,Status=Dead,Priority=1,User=w2,Accepted=0|\0";
        using ApiReplySet set = Parse(text, "pools");
        ApiReply reply = Success(set);
        Assert.Equal(7, reply.Status!.Code);
        Assert.Equal("2 Pool(s)", reply.Status.Msg);
        Assert.True(reply.TryGetSection("POOLS", out JsonElement pools));
        Assert.Equal(2, pools.GetArrayLength());
        Assert.Equal("stratum+tcp://a.pool:3333", pools[0].GetProperty("URL").GetString());
        Assert.Equal(12, pools[0].GetProperty("Accepted").GetInt32());
        Assert.Equal("w2", pools[1].GetProperty("User").GetString());
    }

    [Fact]
    public void Plain_text_summary_takes_its_section_name_from_the_record()
    {
        using ApiReplySet set = Parse("STATUS=S,When=1,Code=11,Msg=Summary,Description=cgminer|SUMMARY,Elapsed=5,MHS av=12.5|", "summary");
        Assert.True(Success(set).TryGetSection("SUMMARY", out JsonElement s));
        Assert.Equal(12.5, s[0].GetProperty("MHS av").GetDouble());
    }

    [Fact]
    public void Multi_command_reply_is_split_into_one_reply_per_command()
    {
        string body = "{\"summary\":[" + Status + ",\"SUMMARY\":[{\"MHS 5s\":1}],\"id\":1}],"
            + "\"pools\":[{\"STATUS\":[{\"STATUS\":\"S\",\"Code\":7}],\"POOLS\":[{\"POOL\":0,\"URL\":\"u\"}],\"id\":1}],"
            + "\"devs\":[{\"STATUS\":[{\"STATUS\":\"E\",\"Code\":14,\"Msg\":\"Invalid command\"}],\"id\":1}],\"id\":1}";
        using ApiReplySet set = Parse(body, "summary+pools+devs");
        Assert.Equal(["summary", "pools", "devs"], set.Results.Select(r => r.Command));
        Assert.True(set.Results[0].Reply!.TryGetSection("SUMMARY", out _));
        Assert.Equal(7, set.Results[1].Reply!.Status!.Code);
        Assert.Equal(MinerApiErrorKind.CommandError, set.Results[2].Error!.Kind);
        Assert.Equal(14, set.Results[2].Error!.StatusCode);
    }

    [Fact]
    public void Multi_command_reply_missing_a_part_says_which()
    {
        using ApiReplySet set = Parse("{\"summary\":[" + Status + ",\"SUMMARY\":[{}]}],\"id\":1}", "summary+pools");
        Assert.True(set.Results[0].IsSuccess);
        Assert.Equal(MinerApiErrorKind.MalformedReply, set.Results[1].Error!.Kind);
        Assert.Contains("'pools'", set.Results[1].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Firmware_without_multi_command_support_gives_each_command_the_error()
    {
        using ApiReplySet set = Parse("""{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command"}],"id":1}""", "summary+pools");
        Assert.All(set.Results, r => Assert.Equal(MinerApiErrorKind.CommandError, r.Error!.Kind));
    }

    [Theory]
    [InlineData("E", 45, "Access denied to 'addpool' command")]
    [InlineData("E", 99, "Access denied to 'restart' command")]
    [InlineData("F", 123, "insufficient privilege")]
    public void Privilege_refusals_are_access_denied(string letter, int code, string msg)
    {
        using ApiReplySet set = Parse($$"""{"STATUS":[{"STATUS":"{{letter}}","When":1,"Code":{{code}},"Msg":"{{msg}}","Description":"cgminer"}],"id":1}""", "addpool");
        MinerApiError error = Failure(set, MinerApiErrorKind.AccessDenied);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(msg, error.StatusMessage);
        Assert.Contains("api-allow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_E_is_a_command_error_with_code_and_message()
    {
        using ApiReplySet set = Parse("""{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command","Description":"cgminer"}],"id":1}""", "estats");
        MinerApiError error = Failure(set, MinerApiErrorKind.CommandError);
        Assert.Equal(14, error.StatusCode);
        Assert.Equal("Invalid command", error.StatusMessage);
    }

    [Fact]
    public void Btminer_top_level_status_letter_is_read()
    {
        using ApiReplySet set = Parse("""{"STATUS":"S","When":1606354856,"Code":131,"Msg":{"api_ver":"whatsminer v1.3","fw_ver":"20200917.22.REL"},"Description":""}""", "get_version");
        ApiReply reply = Success(set);
        Assert.Equal(131, reply.Status!.Code);
        Assert.Contains("whatsminer", reply.Status.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_scalar_is_malformed_not_a_reply()
    {
        using ApiReplySet set = Parse("42", "summary");
        Failure(set, MinerApiErrorKind.MalformedReply);
    }

    private static ApiReplySet Parse(string body, string command) => ReplyParser.Parse(Encoding.UTF8.GetBytes(body), command);

    private static ApiReply Success(ApiReplySet set)
    {
        ApiReplyResult result = Assert.Single(set.Results);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Reply!;
    }

    private static MinerApiError Failure(ApiReplySet set, MinerApiErrorKind kind)
    {
        ApiReplyResult result = Assert.Single(set.Results);
        Assert.False(result.IsSuccess);
        Assert.Equal(kind, result.Error!.Kind);
        return result.Error;
    }
}
