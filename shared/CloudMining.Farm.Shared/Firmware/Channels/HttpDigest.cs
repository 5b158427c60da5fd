using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// HTTP Digest access authentication with MD5 (RFC 2617, kept by RFC 7616 as "MD5"), <c>qop=auth</c>: the response
/// a client computes and a server checks, and the parsing of the header's name=value list. Pure: no sockets. The
/// agent's client side is .NET's own Digest support (<see cref="BitmainWebChannel"/>); this type is what the
/// simulator verifies logins with, so the two are independent implementations of the same RFC.
/// </summary>
public static class HttpDigest
{
    /// <summary>MD5 of the UTF-8 text, lower-case hex.</summary>
    public static string Md5Hex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
#pragma warning disable CA5351 // MD5 is what the Digest scheme of this firmware's web server speaks; it is not our choice of hash.
        byte[] hash = MD5.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The request digest: MD5(HA1:nonce:nc:cnonce:qop:HA2) with HA1 = MD5(user:realm:password), HA2 = MD5(method:uri).</summary>
    public static string Response(string user, string realm, string password, string method, string uri, string nonce, string nc, string cnonce, string qop)
    {
        string ha1 = Md5Hex(user + ":" + realm + ":" + password);
        string ha2 = Md5Hex(method + ":" + uri);
        return Md5Hex(string.Join(':', ha1, nonce, nc, cnonce, qop, ha2));
    }

    /// <summary>The challenge a server sends in WWW-Authenticate.</summary>
    public static string Challenge(string realm, string nonce) =>
        string.Create(CultureInfo.InvariantCulture, $"Digest realm=\"{realm}\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5");

    /// <summary>Parses "Digest a=\"b\", c=d" into its parameters (names lower-case); null when the scheme is not Digest.</summary>
    public static IReadOnlyDictionary<string, string>? Parse(string? header)
    {
        if (header is null || !header.TrimStart().StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string rest = header.TrimStart()[7..];
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < rest.Length)
        {
            while (i < rest.Length && (rest[i] == ' ' || rest[i] == ','))
            {
                i++;
            }

            int eq = rest.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            string name = rest[i..eq].Trim().ToLowerInvariant();
            i = eq + 1;
            string value;
            if (i < rest.Length && rest[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < rest.Length && rest[i] != '"')
                {
                    if (rest[i] == '\\' && i + 1 < rest.Length)
                    {
                        i++;
                    }

                    sb.Append(rest[i]);
                    i++;
                }

                i++;
                value = sb.ToString();
            }
            else
            {
                int end = rest.IndexOf(',', i);
                end = end < 0 ? rest.Length : end;
                value = rest[i..end].Trim();
                i = end;
            }

            values[name] = value;
        }

        return values;
    }

    /// <summary>Whether an Authorization header answers the challenge for <paramref name="realm"/>/<paramref name="nonce"/> with this user's password.</summary>
    public static bool Verify(string? authorization, string method, string realm, string nonce, string user, string password)
    {
        if (Parse(authorization) is not { } p ||
            !p.TryGetValue("username", out string? u) || u != user ||
            !p.TryGetValue("realm", out string? r) || r != realm ||
            !p.TryGetValue("nonce", out string? n) || n != nonce ||
            !p.TryGetValue("uri", out string? uri) ||
            !p.TryGetValue("response", out string? response))
        {
            return false;
        }

        string expected = p.TryGetValue("qop", out string? qop) && p.TryGetValue("nc", out string? nc) && p.TryGetValue("cnonce", out string? cnonce)
            ? Response(user, realm, password, method, uri, nonce, nc, cnonce, qop)
            : Md5Hex(Md5Hex(user + ":" + realm + ":" + password) + ":" + nonce + ":" + Md5Hex(method + ":" + uri)); // RFC 2069 form, no qop
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()));
    }
}
