using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

public sealed class BoundedTextTests
{
    [Fact]
    public void Short_printable_text_is_echoed_unchanged()
    {
        Assert.Equal("stratum+tcp://pool.example:3333", BoundedText.Echo("stratum+tcp://pool.example:3333"));
        Assert.Equal(string.Empty, BoundedText.Echo(null));
    }

    [Fact]
    public void Long_text_is_cut_with_an_ellipsis_and_its_original_length()
    {
        string echoed = BoundedText.Echo(new string('a', 10 * 1024 * 1024));

        Assert.Equal(new string('a', BoundedText.DefaultMaxChars) + "… (10485760 chars)", echoed);
        Assert.InRange(echoed.Length, 0, BoundedText.DefaultMaxChars + BoundedText.MaxSuffixChars);
    }

    [Fact]
    public void Control_characters_are_escaped_and_count_against_the_bound()
    {
        Assert.Equal("a\\u000Ab\\u001B[2J", BoundedText.Echo("a\nb\u001b[2J"));
        string echoed = BoundedText.Echo(new string('\n', 100), maxChars: 20);
        Assert.Equal("\\u000A\\u000A\\u000A… (100 chars)", echoed);
    }

    [Fact]
    public void A_surrogate_pair_is_never_split()
    {
        string echoed = BoundedText.Echo("ab\U0001F600cd", maxChars: 3);

        Assert.Equal("ab… (6 chars)", echoed);
    }

    [Fact]
    public void Pool_url_problems_echo_a_bounded_url_without_credentials()
    {
        string? tooLong = PoolEndpointRules.UrlProblem("stratum+tcp://" + new string('h', 1_000_000) + ":3333", out _);
        string? badScheme = PoolEndpointRules.UrlProblem("http://alice:s3cret@pool.example:3333/" + new string('p', 150), out _);

        Assert.Equal("is 1000019 characters long; at most 256 are allowed.", tooLong);
        Assert.NotNull(badScheme);
        Assert.DoesNotContain("s3cret", badScheme, StringComparison.Ordinal);
        Assert.Contains("http://pool.example:3333/ppp", badScheme, StringComparison.Ordinal);
        Assert.InRange(badScheme.Length, 0, 400);
    }
}
