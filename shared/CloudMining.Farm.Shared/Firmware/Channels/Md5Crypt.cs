using System.Security.Cryptography;
using System.Text;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// The FreeBSD/glibc "MD5-crypt" password hash (<c>$1$salt$hash</c>, what <c>openssl passwd -1</c> prints), written
/// from Poul-Henning Kamp's public description of the algorithm because .NET has no API for it. Whatsminer's API v2
/// derives its AES key and its command signature with it. It is a key-derivation step here, not password storage:
/// never use it to store passwords.
/// </summary>
public static class Md5Crypt
{
    private const string Magic = "$1$";
    private const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The whole <c>$1$salt$hash</c> string for <paramref name="password"/> with at most 8 characters of <paramref name="salt"/>.</summary>
    public static string Crypt(string password, string salt)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        string s = salt.StartsWith(Magic, StringComparison.Ordinal) ? salt[Magic.Length..] : salt;
        int dollar = s.IndexOf('$', StringComparison.Ordinal);
        if (dollar >= 0)
        {
            s = s[..dollar];
        }

        if (s.Length > 8)
        {
            s = s[..8];
        }

        return Magic + s + "$" + Hash(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(s));
    }

    /// <summary>Only the 22-character hash part (the fourth '$' field), as the Whatsminer key derivation uses it.</summary>
    public static string HashPart(string password, string salt) => Crypt(password, salt).Split('$')[3];

#pragma warning disable CA5351 // MD5 is what md5-crypt is made of and what the firmware derives its key with; it is not our choice of hash.
    private static string Hash(byte[] pw, byte[] salt)
    {
        // Alternate sum: MD5(password + salt + password).
        byte[] alternate = MD5.HashData([.. pw, .. salt, .. pw]);

        var ctx = new List<byte>(64);
        ctx.AddRange(pw);
        ctx.AddRange(Encoding.ASCII.GetBytes(Magic));
        ctx.AddRange(salt);
        for (int left = pw.Length; left > 0; left -= 16)
        {
            ctx.AddRange(alternate.AsSpan(0, Math.Min(16, left)).ToArray());
        }

        // The odd historical step: for each bit of the length, a NUL byte (bit set) or the password's first byte (bit clear).
        for (int i = pw.Length; i != 0; i >>= 1)
        {
            ctx.Add((i & 1) != 0 ? (byte)0 : (pw.Length > 0 ? pw[0] : (byte)0));
        }

        byte[] final = MD5.HashData(ctx.ToArray());

        // 1000 rounds to slow down brute force.
        for (int i = 0; i < 1000; i++)
        {
            var round = new List<byte>(64);
            round.AddRange((i & 1) != 0 ? pw : final);
            if (i % 3 != 0)
            {
                round.AddRange(salt);
            }

            if (i % 7 != 0)
            {
                round.AddRange(pw);
            }

            round.AddRange((i & 1) != 0 ? final : pw);
            final = MD5.HashData(round.ToArray());
        }

        // Output: the 16 bytes in a fixed shuffled order, 6 bits per character, least significant first.
        var text = new StringBuilder(22);
        Append(text, (final[0] << 16) | (final[6] << 8) | final[12], 4);
        Append(text, (final[1] << 16) | (final[7] << 8) | final[13], 4);
        Append(text, (final[2] << 16) | (final[8] << 8) | final[14], 4);
        Append(text, (final[3] << 16) | (final[9] << 8) | final[15], 4);
        Append(text, (final[4] << 16) | (final[10] << 8) | final[5], 4);
        Append(text, final[11], 2);
        return text.ToString();
    }
#pragma warning restore CA5351

    private static void Append(StringBuilder text, int value, int characters)
    {
        for (int i = 0; i < characters; i++)
        {
            text.Append(Alphabet[value & 0x3f]);
            value >>= 6;
        }
    }
}
