using System.Diagnostics;
using CloudMining.Farm.Shared.Firmware.Channels;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

public sealed class HttpDigestTests
{
    // RFC 2617 section 3.5: Mufasa / "Circle Of Life", GET /dir/index.html.
    private const string User = "Mufasa";
    private const string Realm = "testrealm@host.com";
    private const string Password = "Circle Of Life";
    private const string Nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    private const string Uri = "/dir/index.html";

    [Fact]
    public void Response_matches_the_RFC_2617_example()
    {
        string response = HttpDigest.Response(User, Realm, Password, "GET", Uri, Nonce, "00000001", "0a4f113b", "auth");

        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Fact]
    public async Task Response_matches_a_digest_computed_independently_by_python()
    {
        // A vector of our own, for the stock Antminer realm and a POST, computed by python3's hashlib inside the test.
        const string script = """
            import hashlib
            h = lambda s: hashlib.md5(s.encode()).hexdigest()
            ha1 = h("root:antMiner Configuration:S3cret pw")
            ha2 = h("POST:/cgi-bin/set_miner_conf.cgi")
            print(h(":".join([ha1, "a1b2c3d4", "0000000a", "c0ffee", "auth", ha2])))
            """;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        using Process python = Process.Start(start)!;
        await python.StandardInput.WriteAsync(script);
        python.StandardInput.Close();
        string expected = (await python.StandardOutput.ReadToEndAsync()).Trim();
        await python.WaitForExitAsync();

        Assert.Equal(32, expected.Length);
        Assert.Equal(expected, HttpDigest.Response("root", "antMiner Configuration", "S3cret pw", "POST", "/cgi-bin/set_miner_conf.cgi", "a1b2c3d4", "0000000a", "c0ffee", "auth"));
    }

    [Fact]
    public void Verify_accepts_the_right_answer_and_refuses_a_wrong_password()
    {
        string header = $"Digest username=\"{User}\", realm=\"{Realm}\", nonce=\"{Nonce}\", uri=\"{Uri}\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

        Assert.True(HttpDigest.Verify(header, "GET", Realm, Nonce, User, Password));
        Assert.False(HttpDigest.Verify(header, "GET", Realm, Nonce, User, "Circle of life"));
        Assert.False(HttpDigest.Verify(header, "POST", Realm, Nonce, User, Password));
        Assert.False(HttpDigest.Verify("Basic TXVmYXNhOkNpcmNsZSBPZiBMaWZl", "GET", Realm, Nonce, User, Password));
    }
}
