using System.Text;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Firmware;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.MinerApi;

/// <summary>Replies nobody has seen yet: every captured reply, systematically damaged, must give a snapshot or a typed error — never an exception.</summary>
public sealed class ReplyRobustnessTests
{
    private const int Offsets = 48;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string folder in FixtureMiner.Folders())
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(RepoPaths.MinerApiFixtures, folder)).Order(StringComparer.Ordinal))
            {
                data.Add(folder + "/" + Path.GetFileName(file));
            }
        }

        if (data.Count == 0)
        {
            data.Add("(fixtures absent)");
        }

        return data;
    }

    [FixtureTheory]
    [MemberData(nameof(Files))]
    public void Damaged_replies_give_a_snapshot_or_a_typed_error(string relative)
    {
        string path = Path.Combine(RepoPaths.MinerApiFixtures, relative);
        byte[] original = File.ReadAllBytes(path);
        string command = DecodeCommand.CommandFromFileName(path);
        FirmwareProfile[] profiles = [FixtureMiner.Catalog.Fallback, .. DetectFor(original, command)];
        int cases = 0;
        foreach (byte[] mutant in Mutants(original))
        {
            cases++;
            using ApiReplySet set = ReplyParser.Parse(mutant, command);
            foreach (ApiReplyResult result in set.Results)
            {
                Assert.Equal(command.Split('+').Length, set.Results.Count);
                if (!result.IsSuccess)
                {
                    Assert.True(Enum.IsDefined(result.Error.Kind));
                    Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
                    if (result.Error.Kind == MinerApiErrorKind.MalformedReply && result.Error.Position is long at)
                    {
                        Assert.InRange(at, 0, mutant.Length);
                    }
                }
            }

            foreach (FirmwareProfile profile in profiles)
            {
                MinerReadResult decoded = SnapshotDecoder.Decode(profile, set.Results);
                Assert.True(decoded.IsSuccess || !string.IsNullOrWhiteSpace(decoded.Error.Message));
                if (decoded.IsSuccess)
                {
                    Assert.All(decoded.Snapshot.Boards, b => Assert.True(b.Hashrate is null || double.IsFinite(b.Hashrate.Value.HashesPerSecond)));
                }
            }
        }

        Assert.True(cases >= Math.Min(original.Length, Offsets), $"only {cases} mutants of {relative}");
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4028);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 0)
            {
                bytes[0] = (byte)'{'; // make it look like the start of a reply, so the repair path runs
            }

            using ApiReplySet set = ReplyParser.Parse(bytes, i % 3 == 0 ? "summary+pools" : "stats");
            Assert.All(set.Results, r => Assert.True(r.IsSuccess || r.Error!.Kind is MinerApiErrorKind.MalformedReply or MinerApiErrorKind.CommandError or MinerApiErrorKind.AccessDenied));
        }
    }

    private static IEnumerable<FirmwareProfile> DetectFor(byte[] original, string command)
    {
        using ApiReplySet set = ReplyParser.Parse(original, command);
        return new FirmwareDetector(FixtureMiner.Catalog).TryDetect(set.Results) is FirmwareProfile p ? [p] : [];
    }

    /// <summary>Truncations, flipped bytes, dropped fields, numbers turned to strings and strings to numbers.</summary>
    private static IEnumerable<byte[]> Mutants(byte[] original)
    {
        int step = Math.Max(1, original.Length / Offsets);
        var random = new Random(original.Length);
        for (int at = 0; at < original.Length; at += step)
        {
            yield return original[..at];

            byte[] flipped = (byte[])original.Clone();
            flipped[at] = (byte)random.Next(256);
            yield return flipped;
        }

        string text = Encoding.Latin1.GetString(original);
        int field = 0;
        for (int comma = text.IndexOf(",\"", StringComparison.Ordinal); comma >= 0 && field < 24; comma = text.IndexOf(",\"", comma + 1, StringComparison.Ordinal), field++)
        {
            int next = text.IndexOfAny([',', '}'], comma + 2);
            if (next > comma)
            {
                yield return Encoding.Latin1.GetBytes(text.Remove(comma, next - comma)); // drop one "key":value
            }
        }

        var quoted = new StringBuilder(text.Length + 64);
        var unquoted = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool numberStart = (char.IsDigit(c) || c == '-') && i > 0 && text[i - 1] == ':';
            if (numberStart)
            {
                int end = i;
                while (end < text.Length && (char.IsDigit(text[end]) || text[end] is '.' or '-' or 'e' or 'E' or '+'))
                {
                    end++;
                }

                quoted.Append('"').Append(text, i, end - i).Append('"');
                unquoted.Append(text, i, end - i);
                i = end - 1;
                continue;
            }

            quoted.Append(c);
            unquoted.Append(c == '"' && i > 0 && text[i - 1] == ':' ? ' ' : c);
        }

        yield return Encoding.Latin1.GetBytes(quoted.ToString());
        yield return Encoding.Latin1.GetBytes(unquoted.ToString());
        yield return Encoding.Latin1.GetBytes(text.Replace("[", "{", StringComparison.Ordinal));
        yield return Encoding.Latin1.GetBytes(text.Replace("\"STATUS\":\"S\"", "\"STATUS\":\"E\"", StringComparison.Ordinal));
    }
}
